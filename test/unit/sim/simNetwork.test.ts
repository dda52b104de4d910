/**
 * The engine under a hand-moved clock: counters against the recorded
 * segments (integrated here, independently of the engine), and the effect of
 * each fault on rates, status and counters.
 */
import { expect } from 'chai';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { ManualClock } from '../../../sim/clock.ts';
import type { Fault } from '../../../sim/network/faults.ts';
import { RATE_FIELDS, SimNetwork, type CircuitRates, type CircuitState, type NetworkObserver } from '../../../sim/network/simNetwork.ts';

const START = Date.parse('2026-11-23T10:00:00+08:00');

interface Recorded {
  segments: Array<{ start: number; end: number; rates: Map<string, CircuitRates> }>;
  events: Array<{ kind: string; circuit?: string; device?: string; at: number }>;
}

function recorder(): NetworkObserver & Recorded {
  const r: Recorded = { segments: [], events: [] };
  return Object.assign(r, {
    segment(start: number, end: number, cs: readonly CircuitState[]) {
      r.segments.push({ start, end, rates: new Map(cs.map((c) => [c.circuit.id, { ...c.rates }])) });
    },
    linkChange(c: CircuitState, up: boolean, at: number) {
      r.events.push({ kind: up ? 'link-up' : 'link-down', circuit: c.circuit.id, at });
    },
    rebootStart(d: { device: { id: string } }, at: number) {
      r.events.push({ kind: 'reboot-start', device: d.device.id, at });
    },
    boot(d: { device: { id: string } }, at: number) {
      r.events.push({ kind: 'boot', device: d.device.id, at });
    },
    faultStart() {},
    faultEnd() {},
  });
}

function integrate(rec: Recorded, circuit: string, field: keyof CircuitRates, from: number, to: number): number {
  let sum = 0;
  for (const s of rec.segments) {
    const overlap = Math.min(to, s.end) - Math.max(from, s.start);
    if (overlap > 0) sum += (s.rates.get(circuit)![field] * overlap) / 1000;
  }
  return sum;
}

describe('simulated network engine', () => {
  let topology: Topology;
  let clock: ManualClock;
  let rec: ReturnType<typeof recorder>;
  let net: SimNetwork;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });
  beforeEach(() => {
    clock = new ManualClock(START);
    rec = recorder();
    net = new SimNetwork({ topology, clock, seed: 734, observer: rec });
  });
  const move = (ms: number) => {
    clock.current += ms;
    net.advance();
  };
  const circuit = (id: string) => net.circuits.find((c) => c.circuit.id === id)!;
  const inject = (f: Fault) => net.inject(f);

  it('counts exactly the octets its recorded segments say, at both ends', () => {
    const c = circuit('HY-HYX');
    const before = { a: net.counters(c.a!, clock.now()), z: net.counters(c.z!, clock.now()) };
    move(95_432);
    net.flush();
    const now = clock.now();
    const after = { a: net.counters(c.a!, now), z: net.counters(c.z!, now) };
    const expect1 = (got: number, field: keyof CircuitRates) => {
      const want = integrate(rec, 'HY-HYX', field, START, now);
      expect(Math.abs(got - want), field).to.be.below(2);
      expect(want).to.be.above(1e6);
    };
    expect1(after.a.outOctets - before.a.outOctets, 'aOut');
    expect1(after.a.inOctets - before.a.inOctets, 'aIn');
    expect1(after.z.inOctets - before.z.inOctets, 'zIn');
    expect1(after.z.outOctets - before.z.outOctets, 'zOut');
  });

  it('makes both ends agree: what A sends Z receives, and the reverse', () => {
    move(600_000);
    for (const s of rec.segments) {
      for (const [id, r] of s.rates) {
        expect(r.zIn, id).to.equal(r.aOut);
        expect(r.aIn, id).to.equal(r.zOut);
      }
    }
  });

  it('takes a link down on both ends, for exactly as long as asked', () => {
    const at = clock.now() + 3_210;
    clock.current = at;
    inject({ fault: 'link-down', circuit: 'HY-HYX', for: 300 });
    const c = circuit('HY-HYX');
    expect(c.up).to.equal(false);
    expect(c.a!.operUp).to.equal(false);
    expect(c.z!.operUp).to.equal(false);
    expect(c.a!.lastChangeMs).to.equal(at);
    expect(c.rates).to.deep.equal({ aIn: 0, aOut: 0, zIn: 0, zOut: 0, aInErrors: 0, zInErrors: 0 });
    move(300_000);
    expect(c.up).to.equal(true);
    expect(rec.events.filter((e) => e.circuit === 'HY-HYX')).to.deep.equal([
      { kind: 'link-down', circuit: 'HY-HYX', at },
      { kind: 'link-up', circuit: 'HY-HYX', at: at + 300_000 },
    ]);
    expect(integrate(rec, 'HY-HYX', 'aOut', at, at + 300_000)).to.equal(0);
  });

  it('cuts off the county router and its departments while the county uplink is down, and nothing else', () => {
    const silent = () => new Set([...net.devices.values()].filter((d) => net.isSilent(d)).map((d) => d.device.id));
    expect(silent().size).to.equal(0);
    inject({ fault: 'link-down', circuit: 'HY-HYX', for: 120 });
    // Behind HY-HYX, from the topology: its Z device and the Z devices of the circuits hanging from it.
    const behind = new Set([
      'hyx-rtr-1',
      ...topology.circuits.filter((c) => c.upstreamIds.includes('HY-HYX') && c.z.kind === 'device').map((c) => (c.z as { deviceId: string }).deviceId),
    ]);
    expect(behind.size).to.be.at.least(3);
    expect(silent()).to.deep.equal(new Set([...behind].filter((id) => net.devices.has(id))));
    expect(net.isSilent(net.devices.get('hy-core-1')!)).to.equal(false);
    move(120_000);
    expect(silent().size).to.equal(0);
  });

  it('loses the asked share of traffic in one direction only', () => {
    inject({ fault: 'loss', circuit: 'HY-D-HBJ', direction: 'a2z', percent: 25, for: 600 });
    move(120_000);
    for (const s of rec.segments.filter((x) => x.start >= START)) {
      const r = s.rates.get('HY-D-HBJ')!;
      expect(r.zIn).to.equal(Math.round(r.aOut * 0.75));
      expect(r.aIn).to.equal(r.zOut);
    }
  });

  it('counts input errors at the asked rate while a burst lasts', () => {
    inject({ fault: 'errors', circuit: 'HY-D-HBJ', end: 'z', perSecond: 40, for: 60 });
    const z = circuit('HY-D-HBJ').z!;
    const e0 = net.counters(z, clock.now()).inErrors;
    move(90_000);
    expect(net.counters(z, clock.now()).inErrors - e0).to.equal(40 * 60);
  });

  it('reboots a device: silent, links down, then counters and sysUpTime from zero, ifIndex renumbered', () => {
    const dev = net.devices.get('hyx-rtr-1')!;
    const iface = circuit('HY-HYX').z!;
    const oldIndex = iface.ifIndex;
    const t0 = clock.now();
    inject({ fault: 'reboot', device: 'hyx-rtr-1', downtime: 60, renumber: true });
    expect(net.isSilent(dev)).to.equal(true);
    expect(circuit('HY-HYX').up).to.equal(false);
    expect(circuit('HYX-CZJ').up).to.equal(false);
    move(60_000);
    expect(net.isSilent(dev)).to.equal(false);
    expect(dev.bootMs).to.equal(t0 + 60_000);
    expect(net.sysUpTime(dev, clock.now())).to.equal(0);
    expect(net.counters(iface, clock.now()).inOctets).to.equal(0);
    expect(iface.ifIndex).not.to.equal(oldIndex);
    expect(dev.byIfIndex.get(iface.ifIndex)).to.equal(iface);
    expect(rec.events.map((e) => e.kind)).to.include.members(['reboot-start', 'boot', 'link-down', 'link-up']);
  });

  it('flaps a link the asked number of times', () => {
    inject({ fault: 'flap', circuit: 'HY-D-MZJ', count: 3, period: 20 });
    move(120_000);
    expect(rec.events.filter((e) => e.circuit === 'HY-D-MZJ').map((e) => e.kind)).to.deep.equal([
      'link-down',
      'link-up',
      'link-down',
      'link-up',
      'link-down',
      'link-up',
    ]);
  });

  it('clears counters on request and marks the discontinuity', () => {
    move(30_000);
    const iface = circuit('HY-D-HBJ').a!;
    const t = clock.now();
    inject({ fault: 'counter-reset', device: iface.device.device.id });
    expect(net.counters(iface, t).outOctets).to.equal(0);
    expect(iface.discontinuityMs).to.equal(t);
  });

  it('records rates in the segment order of RATE_FIELDS', () => {
    expect(RATE_FIELDS).to.deep.equal(['aIn', 'aOut', 'zIn', 'zOut', 'aInErrors', 'zInErrors']);
  });
});
