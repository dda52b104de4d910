/**
 * The collection pipeline against the simulated network's ground truth: a
 * dozen simulated minutes of polling every device once a simulated minute,
 * through a 32-bit wrap, a reboot with ifIndex renumbering, and a dead agent.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { Collector, type InterfaceOutcome } from '../../collectors/collector.ts';
import type { DevicePoll } from '../../collectors/poll/devicePoller.ts';
import type { Point } from '../../collectors/write/lineProtocol.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { resolveCredentials } from '../../shared/snmp/credentials.ts';
import { Simulator } from '../../sim/simulator.ts';
import { offeredOctetsPerSecond, SLOT_SECONDS, trafficProfile } from '../../sim/traffic/trafficModel.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { busyCiscoCircuit } from '../support/circuits.ts';
import { TEST_SECRETS } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';
import { absoluteTime } from '../support/truthTime.ts';

const SPEED = 60;
const START = Date.parse('2026-11-23T10:00:00+08:00');
const POLL_MS = 1000; // one simulated minute
const RUN_MS = 12_500;
const REBOOTED = 'hy-mzj-cpe';
const DEAD = 'hy-fgw-cpe';

interface Seen {
  poll: DevicePoll;
  outcomes: InterfaceOutcome[];
  wallMs: number;
  /** Simulated time when the poll was seen: picks the boot a reading's sysUpTime counts from. */
  simMs: number;
}

describe('collector against the ground truth (simulated network)', function () {
  this.timeout(90_000);
  let topology: Topology;
  let truth: GroundTruth;
  let wrapCircuit: string;
  const seen: Seen[] = [];
  const points: Point[] = [];
  let collector: Collector;

  before(async () => {
    topology = await loadTopology('topology.yaml');
    const dir = await tempDir('collect');
    const truthDir = join(dir.path, 'truth');
    // A Cisco 2M line (32-bit counters only) preset to wrap after the first poll: the line runs
    // about twice the offered rate estimated here, and the first poll may come 80 s (1.3 s real) in.
    const cisco = busyCiscoCircuit(topology);
    wrapCircuit = cisco.id;
    const rate = offeredOctetsPerSecond(trafficProfile(734, cisco), 'z2a', Math.floor(START / 1000 / SLOT_SECONDS), 8 * 3600);
    const sim = await Simulator.start({
      topology,
      secrets: TEST_SECRETS,
      log: memoryLogger(),
      truthDir,
      speed: SPEED,
      startMs: START,
      basePort: 0,
      scenario: {
        file: 'inline',
        startMs: null,
        speed: null,
        seed: null,
        counters: [{ circuit: cisco.id, end: 'z', value: 2 ** 32 - rate * 300 }],
        timeline: [],
      },
    });
    const endpoints = new Map(Object.entries(sim.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.port }]));
    collector = new Collector({
      topology,
      endpoints,
      credentials: (d) => resolveCredentials(topology.snmpProfiles.get(d.snmpProfile!)!, TEST_SECRETS),
      production: false,
      sink: { write: (p) => points.push(...p) },
      live: new LiveState(),
      log: memoryLogger(),
      intervalMs: POLL_MS,
      client: { timeoutMs: 1000, retries: 1, maxVarbinds: 40, maxRepetitions: 25 },
    });
    collector.onPoll((poll, outcomes) => seen.push({ poll, outcomes, wallMs: Date.now(), simMs: sim.clock.now() }));
    collector.start();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    sim.inject({ fault: 'reboot', device: REBOOTED, downtime: 90, renumber: true });
    sim.inject({ fault: 'unreachable', device: DEAD, for: 240 });
    await new Promise((r) => setTimeout(r, RUN_MS - (Date.now() - t0)));
    await collector.stop();
    await sim.stop();
    truth = await GroundTruth.read(truthDir);
    await dir.remove();
  });

  /** Every rate sample of a circuit's measured end, placed in simulated time. */
  function samples(circuitId: string) {
    const out: Array<{ from: number; to: number; inOctets: number; outOctets: number; wrapped: boolean }> = [];
    for (const s of seen) {
      for (const o of s.outcomes) {
        if (o.circuit.id !== circuitId || o.result.spec.end !== 'a' || o.outcome?.kind !== 'rate') continue;
        const to = absoluteTime(truth, s.poll.deviceId, o.result.reading!.uptimeCs, s.simMs);
        const r = o.outcome.sample;
        out.push({
          from: to - r.intervalS * 1000,
          to,
          inOctets: (r.inBps * r.intervalS) / 8,
          outOctets: (r.outBps * r.intervalS) / 8,
          wrapped: r.wrapped.in || r.wrapped.out,
        });
      }
    }
    return out;
  }

  it('polls every device, about once a simulated minute', () => {
    const perDevice = new Map<string, number>();
    for (const s of seen) perDevice.set(s.poll.deviceId, (perDevice.get(s.poll.deviceId) ?? 0) + 1);
    expect(perDevice.size).to.equal(97);
    for (const [id, n] of perDevice) if (id !== DEAD) expect(n, id).to.be.within(10, 14);
  });

  it('measures every circuit within 0.5% of the ground truth over 5-minute windows, both directions', () => {
    let windows = 0;
    for (const c of topology.circuits) {
      if (!topology.device(c.a.deviceId).managed) continue;
      const list = samples(c.id);
      const byWindow = new Map<number, typeof list>();
      for (const s of list) {
        const w = Math.floor((s.to - START) / 300_000);
        byWindow.set(w, [...(byWindow.get(w) ?? []), s]);
      }
      for (const [w, group] of byWindow) {
        if (group.length < 4) continue;
        for (const [field, column] of [
          ['inOctets', 'a_in'],
          ['outOctets', 'a_out'],
        ] as const) {
          const measured = group.reduce((sum, s) => sum + s[field], 0);
          const real = group.reduce((sum, s) => sum + truth.total(c.id, column, s.from, s.to), 0);
          if (real < 50_000) continue; // an idle line: too few octets for a ratio to mean anything
          expect(Math.abs(measured - real) / real, `${c.id} ${column} window ${w}: measured ${measured}, truth ${real}`).to.be.below(0.005);
          windows++;
        }
      }
    }
    expect(windows).to.be.above(120);
  });

  it('undoes a 32-bit wrap exactly on a Cisco 2M line', () => {
    const list = seen.flatMap((s) =>
      s.outcomes.filter((o) => o.circuit.id === wrapCircuit && o.result.spec.end === 'z' && o.outcome?.kind === 'rate').map((o) => ({ s, o })),
    );
    const wrapped = list.filter(({ o }) => o.outcome?.kind === 'rate' && o.outcome.sample.wrapped.in);
    expect(wrapped.length, 'a wrap was seen').to.be.at.least(1);
    for (const { s, o } of wrapped) {
      if (o.outcome?.kind !== 'rate') continue;
      expect(o.result.reading!.width).to.equal(32);
      const to = absoluteTime(truth, s.poll.deviceId, o.result.reading!.uptimeCs, s.simMs);
      const r = o.outcome.sample;
      const real = truth.total(wrapCircuit, 'z_in', to - r.intervalS * 1000, to);
      expect(Math.abs((r.inBps * r.intervalS) / 8 - real) / real).to.be.below(0.005);
    }
  });

  it('drops the sample across a reboot instead of storing a spike, then carries on after renumbering', () => {
    const circuit = topology.circuitsOnDevice(REBOOTED)[0]!;
    const mine = seen.filter((s) => s.poll.deviceId === REBOOTED);
    const outcomes = mine.flatMap((s) => s.outcomes.map((o) => o.outcome?.kind ?? 'first'));
    expect(outcomes).not.to.include('impossible');
    expect(mine.filter((s) => s.poll.resolved).length, 'names resolved again after the renumbering').to.be.at.least(2);
    const down = truth.eventsOf('reboot-start').find((e) => 'device' in e && e.device === REBOOTED)!;
    const boot = truth.eventsOf('boot').find((e) => 'device' in e && e.device === REBOOTED)!;
    // Whether the reboot showed as silence (a gap) or as sysUpTime going back (a reset),
    // no rate may span it.
    const all = seen.flatMap((s) =>
      s.outcomes
        .filter((o) => o.outcome?.kind === 'rate')
        .map((o) => {
          const to = absoluteTime(truth, s.poll.deviceId, o.result.reading!.uptimeCs, s.simMs);
          return { device: s.poll.deviceId, from: to - (o.outcome as { sample: { intervalS: number } }).sample.intervalS * 1000, to };
        }),
    );
    for (const r of all.filter((x) => x.device === REBOOTED))
      expect(r.from >= boot.ms || r.to <= down.ms, `rate from ${r.from} to ${r.to} spans the reboot`).to.equal(true);
    const after = samples(circuit.id).filter((s) => s.from >= boot.ms);
    expect(after.length, 'rates after the reboot').to.be.at.least(3);
    for (const p of points.filter((x) => x.measurement === 'circuit_traffic')) {
      const c = topology.circuit(p.tags.circuit!);
      expect(p.fields.in_bps!, c.id).to.be.at.most(c.bandwidthBps * 1.05);
      expect(p.fields.out_bps!, c.id).to.be.at.most(c.bandwidthBps * 1.05);
    }
  });

  it('keeps polling everyone else on time while one agent is dead', () => {
    const dead = seen.filter((s) => s.poll.deviceId === DEAD);
    const silent = dead.filter((s) => !s.poll.reachable);
    expect(silent.length).to.be.at.least(1);
    expect(silent[0]!.poll.error).to.match(new RegExp(`^device ${DEAD}: 127\\.0\\.0\\.1:\\d+: getting \\d+ objects: timeout after 1 s × 2 tries$`));
    const from = silent[0]!.wallMs - 2000;
    const to = silent[silent.length - 1]!.wallMs;
    for (const id of ['hy-core-1', 'hyx-rtr-1', 'hy-hbj-cpe']) {
      const times = seen.filter((s) => s.poll.deviceId === id && s.wallMs >= from && s.wallMs <= to).map((s) => s.wallMs);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `${id} between polls`).to.be.below(1600);
    }
    const health = points.filter((p) => p.measurement === 'device_health' && p.tags.device === DEAD);
    expect(health.some((p) => p.fields.reachable === 0)).to.equal(true);
  });
});
