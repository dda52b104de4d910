/**
 * The udp-echo probe method on a real network, as production runs it
 * (`production: true` target rules, the rounds on the prober's own thread):
 * a far end in a network namespace (198.18.0.0/15) answers UDP echo (RFC 862)
 * from a small server of its own, behind the lab router's delay line
 * (test/support/qualityLab.ts). The truth is the delay line's log of every
 * hold.
 */
import { expect } from 'chai';
import { CircuitProber } from '../../collectors/probe/circuitProber.ts';
import { probeTargetCheck } from '../../collectors/snmp/targetPolicy.ts';
import { LiveState, type QualityLive } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { parseTopology } from '../../shared/model/loader.ts';
import { LAB, QualityLab } from '../support/qualityLab.ts';

const DELAY_MS = 20;
const ROUND_S = 5;
const ROUNDS = 4;
/** Answers every datagram on port 7 with itself; ends by itself after a minute and a half. */
const ECHO_SERVER = `
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7))
s.settimeout(1)
print("ready", flush=True)
end = time.time() + 90
while time.time() < end:
    try:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)
    except socket.timeout:
        pass
`;

const topologyYaml = `
version: 1
network: { id: ru-lab, name: { zh: 回声测试, en: Echo lab }, timezone: Asia/Shanghai }
snmpProfiles:
  ru: { version: 2c, community: { env: RU_COMMUNITY } }
slaTiers:
  lab: { availability: 99.9, utilizationWarn: 80, utilizationCritical: 95, latencyMs: 50, lossPct: 2, jitterMs: 10 }
sites:
  - { id: lab, level: city, name: { zh: 实验室, en: Lab }, location: [112.57, 26.89], contact: { name: 测试, phone: "0734-0000000" } }
devices:
  - { id: m-rtr, site: lab, role: core, vendor: generic, address: ${LAB.routerAddr}, snmp: ru }
  - { id: f2, site: lab, role: cpe, vendor: generic, managed: false, address: ${LAB.far[1].addr} }
circuits:
  - { id: RU-F2, carrier: unicom, carrierCircuitId: RU-2, bandwidth: 10M, a: { device: m-rtr, ifName: mf2 }, z: { device: f2 }, sla: lab, owner: lab, probe: { method: udp-echo } }
`;

describe('real network: the udp-echo probe on its own thread, against a delay line', function () {
  this.timeout(3 * 60_000);
  let lab: QualityLab | null = null;

  after(async () => {
    await lab?.remove();
  });

  it('measures the delay line’s round trip within 10% (or 1 ms), and loses nothing', async () => {
    lab = await QualityLab.create(`u${process.pid % 10_000}`, 120);
    await lab.set('f2', { delayMs: DELAY_MS, jitterMs: 0, lossPerMille: 0 });
    const server = lab.farEnds[1]!.spawnInside('python3', ['-c', ECHO_SERVER]);
    await new Promise<void>((ok, fail) => {
      server.stdout!.once('data', (d: Buffer) => (d.toString().startsWith('ready') ? ok() : fail(new Error(`echo server: ${d}`))));
      server.once('exit', (code) => fail(new Error(`echo server exited with ${code}`)));
    });

    const topology = parseTopology(topologyYaml, 'udp-echo-lab.yaml');
    const live = new LiveState();
    const rounds: QualityLive[] = [];
    const log = memoryLogger();
    const prober = new CircuitProber({
      topology,
      live,
      sink: null,
      log,
      check: probeTargetCheck(topology, true),
      intervalMs: ROUND_S * 1000,
      // Nothing is polled here: each round's verdict at once.
      verdictWaitMs: 0,
    });
    expect([...prober.unprobed.values()], 'the far end is an allowed target in production').to.deep.equal([]);
    const off = live.subscribe(() => {
      const q = live.quality.get('RU-F2');
      if (q && !rounds.includes(q)) rounds.push(q);
    });
    const heldFrom = lab.lines.get('f2')!.holds.length;
    prober.start();
    try {
      const deadline = Date.now() + (ROUNDS + 3) * ROUND_S * 1000;
      while (rounds.length < ROUNDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      off();
      await prober.stop();
    }
    expect(rounds.length, `rounds; log: ${log.lines.join(' | ')}`).to.be.at.least(ROUNDS);
    const holds = lab.lines
      .get('f2')!
      .holds.slice(heldFrom)
      .map((h) => h.ms)
      .sort((a, b) => a - b);
    const held = holds[Math.floor(holds.length / 2)]!;
    const measured = rounds.map((q) => q.rttMedianMs!).sort((a, b) => a - b);
    const median = measured[Math.floor(measured.length / 2)]!;
    const sent = rounds.reduce((n, q) => n + q.sent, 0);
    const unmeasured = rounds.reduce((n, q) => n + q.unmeasured, 0);
    console.log(
      `      RU-F2: median RTT ${median.toFixed(2)} ms, delay line set ${DELAY_MS} ms, held ${held.toFixed(2)} ms (median of ${holds.length}); ` +
        `${unmeasured} of ${sent + unmeasured} echoes left out`,
    );
    expect(median).to.be.within(held - 1, Math.max(held * 1.1, held + 1));
    expect(rounds.every((q) => q.received === q.sent && q.method === 'udp-echo' && q.target === `${LAB.far[1].addr}:7`)).to.equal(true);
    expect(unmeasured, 'echoes left out').to.be.below((sent + unmeasured) / 4);
  });
});
