/**
 * measure(): one poll of a device in, the points, live state and baselines
 * out, with no I/O. Figures are worked by hand from the counters given
 * (bytes × 8 / seconds of the device's own sysUpTime), never by the code
 * under test.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { InterfaceReading } from '../../../collectors/engine/counterEngine.ts';
import { measure, type Baseline } from '../../../collectors/engine/measure.ts';
import type { DevicePoll, InterfaceResult, PolledInterfaceSpec } from '../../../collectors/poll/devicePoller.ts';
import { loadTopology, parseTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';

const T0 = Date.UTC(2026, 11, 3, 2, 0, 0);
const INTERVAL_MS = 30_000;

const reading = (uptimeCs: number, inOctets: bigint, outOctets: bigint, operStatus = 1): InterfaceReading => ({
  uptimeCs,
  inOctets,
  outOctets,
  width: 64,
  inErrors: 0,
  outErrors: 0,
  inDiscards: 0,
  outDiscards: 0,
  operStatus,
  adminStatus: 1,
  lastChangeCs: 1000,
  discontinuityCs: 0,
});

const poll = (deviceId: string, atMs: number, interfaces: InterfaceResult[]): DevicePoll => ({
  deviceId,
  atMs,
  reachable: true,
  responseMs: 40,
  uptimeCs: interfaces[0]?.reading?.uptimeCs ?? null,
  cpuPct: 12,
  memPct: 40,
  interfaces,
  error: null,
  errorKind: null,
  resolved: false,
  counterRefresh: null,
  requests: 1,
  varbinds: 12,
});

const result = (spec: PolledInterfaceSpec, r: InterfaceReading | null, atMs: number): InterfaceResult => ({
  spec,
  ifIndex: 7,
  ifName: spec.ref.value,
  takenAtMs: atMs,
  reading: r,
  error: r ? null : 'no reading',
});

/** One interface's reading at `atMs`, measured against `base`. */
const measureOne = (topology: Topology, deviceId: string, spec: PolledInterfaceSpec, atMs: number, r: InterfaceReading | null, base?: Baseline) =>
  measure(topology, topology.device(deviceId), poll(deviceId, atMs, [result(spec, r, atMs)]), () => base, INTERVAL_MS, true);

describe('measure: a poll into points, live state and baselines', () => {
  let topology: Topology;
  let spec: PolledInterfaceSpec;
  before(async () => {
    topology = await loadTopology('topology.yaml');
    const c = topology.circuit('HY-LYS');
    spec = { circuitId: c.id, end: 'a', ref: c.a.iface! };
  });

  it('gives the rate of a 10M line from the two readings, its utilisation, and the A end live', () => {
    const first = measureOne(topology, 'hy-core-2', spec, T0, reading(100_000, 0n, 0n));
    expect(first.interfaces[0]!.outcome, 'no rate from one reading').to.equal(null);
    expect(first.interfaces[0]!.baseline).to.deep.equal({ reading: reading(100_000, 0n, 0n), atMs: T0 });
    expect(first.circuits[0]).to.include({ circuitId: 'HY-LYS', status: 'up', inBps: null, end: 'a' });
    // 30 s later by sysUpTime: 15,000,000 bytes in (4 Mbit/s), 3,750,000 out (1 Mbit/s).
    const base = first.interfaces[0]!.baseline!;
    const second = measureOne(topology, 'hy-core-2', spec, T0 + 30_000, reading(103_000, 15_000_000n, 3_750_000n), base);
    expect(second.circuits[0]).to.include({ inBps: 4_000_000, outBps: 1_000_000, inUtilPct: 40, outUtilPct: 10 });
    const traffic = second.points.find((p) => p.measurement === 'circuit_traffic')!;
    expect(traffic.fields).to.include({ in_bps: 4_000_000, out_bps: 1_000_000, in_util_pct: 40, out_util_pct: 10, interval_s: 30 });
    expect(traffic.tags).to.include({ circuit: 'HY-LYS', end: 'a' });
    expect(second.points.map((p) => p.measurement)).to.deep.equal(['device_health', 'interface_traffic', 'circuit_traffic', 'circuit_status']);
    expect(second.points.find((p) => p.measurement === 'circuit_status')!.fields).to.include({ up: 1, up_s: 30, down_s: 0 });
  });

  it('shows a line that is down as carrying nothing now, while the interval that saw it fall is stored as it averaged', () => {
    const base: Baseline = { reading: reading(100_000, 0n, 0n), atMs: T0 };
    const m = measureOne(topology, 'hy-core-2', spec, T0 + 30_000, reading(103_000, 7_500_000n, 0n, 2), base);
    expect(m.circuits[0]).to.include({ status: 'down', inBps: 0, outBps: 0 });
    expect(m.points.find((p) => p.measurement === 'circuit_traffic')!.fields).to.include({ in_bps: 2_000_000 });
  });

  it('computes no rate across a gap of more than three intervals, and forgets the baseline of an interface not read', () => {
    const base: Baseline = { reading: reading(100_000, 0n, 0n), atMs: T0 };
    const late = T0 + 3 * INTERVAL_MS + 1;
    const gap = measureOne(topology, 'hy-core-2', spec, late, reading(109_000, 1n, 1n), base);
    expect(gap.interfaces[0]!.outcome).to.equal(null);
    expect(gap.points.map((p) => p.measurement)).to.deep.equal(['device_health', 'interface_traffic', 'circuit_status']);
    const lost = measureOne(topology, 'hy-core-2', spec, T0 + 30_000, null, base);
    expect(lost.interfaces[0]!.baseline).to.equal(null);
    expect(lost.circuits[0]).to.include({ status: 'unknown', inBps: null, note: 'no reading' });
  });

  it('keeps the baseline through an impossible rate while the wider interval is still within the gap rule', () => {
    const base: Baseline = { reading: reading(100_000, 0n, 0n), atMs: T0 };
    // 30 s of 10M at most is 37,500,000 bytes; 80,000,000 is an agent that refreshed late.
    const m = measureOne(topology, 'hy-core-2', spec, T0 + 30_000, reading(103_000, 80_000_000n, 0n), base);
    expect(m.interfaces[0]!.outcome!.kind).to.equal('impossible');
    expect(m.interfaces[0]).to.include({ widening: true, baseline: undefined });
    expect(m.points.find((p) => p.measurement === 'circuit_status')!.fields.up_s, 'counted once, by the reading that closes it').to.equal(undefined);
  });

  it('turns a Z-end reading round into the A end frame when the A end is not polled', () => {
    const text = readFileSync('topology.yaml', 'utf8').replace('  - id: lys-rtr-1\n    site: lys\n', '  - id: lys-rtr-1\n    site: lys\n    managed: false\n');
    const unmanagedA = parseTopology(text, 'topology.yaml (lys-rtr-1 not polled)');
    const c = unmanagedA.circuit('LYS-CZJ');
    const zSpec: PolledInterfaceSpec = { circuitId: c.id, end: 'z', ref: (c.z as { iface: PolledInterfaceSpec['ref'] }).iface };
    const base: Baseline = { reading: reading(100_000, 0n, 0n), atMs: T0 };
    // The department's CPE receives 1 Mbit/s: that is the circuit's out (A→Z).
    const m = measureOne(unmanagedA, 'lys-czj-cpe', zSpec, T0 + 30_000, reading(103_000, 3_750_000n, 937_500n), base);
    expect(m.circuits[0]).to.include({ circuitId: 'LYS-CZJ', end: 'z', inBps: 250_000, outBps: 1_000_000 });
    expect(m.points.find((p) => p.measurement === 'circuit_traffic')!.fields).to.include({ in_bps: 250_000, out_bps: 1_000_000, out_util_pct: 50 });
    // The interface's own point stays in its own frame.
    expect(m.points.find((p) => p.measurement === 'interface_traffic')!.fields).to.include({ in_bps: 1_000_000, out_bps: 250_000 });
  });

  it('makes no points when there is nowhere to write them, and the same live state', () => {
    const p = poll('hy-core-2', T0, [result(spec, reading(100_000, 0n, 0n), T0)]);
    const without = measure(topology, topology.device('hy-core-2'), p, () => undefined, INTERVAL_MS, false);
    const withPoints = measure(topology, topology.device('hy-core-2'), p, () => undefined, INTERVAL_MS, true);
    expect(without.points).to.deep.equal([]);
    expect(without.circuits).to.deep.equal(withPoints.circuits);
    expect(without.device).to.deep.equal({ ...withPoints.device });
    expect(without.device).to.include({ deviceId: 'hy-core-2', reachable: true, responseMs: 40, uptimeS: 1000, polledFromMs: T0 - 40 });
  });
});
