/**
 * One device's poll turned into what nms knows from it, without I/O: the
 * points to store, the live state of the device and of each circuit it
 * stands for, and each interface's rate against the reading before. The
 * collector feeds it its baselines and applies what comes out (writes,
 * live state, logs); the arithmetic managers renew contracts from is tested
 * here on its own.
 */
import type { CircuitLive, DeviceLive } from '../../shared/live/liveState.ts';
import { inCircuitFrame, measuredEnd } from '../../shared/model/circuitFrame.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit, Device } from '../../shared/model/types.ts';
import type { DevicePoll, InterfaceResult, PolledInterfaceSpec } from '../poll/devicePoller.ts';
import { circuitTags } from '../write/circuitTags.ts';
import type { Point } from '../write/lineProtocol.ts';
import { computeRates, IF_OPER_UP, statusSplit, utilizationPct, type InterfaceReading, type RateOutcome } from './counterEngine.ts';

/** The reading an interface's next rate is computed from, and when the poll that took it was. */
export interface Baseline {
  reading: InterfaceReading;
  atMs: number;
}

export interface InterfaceMeasure {
  spec: PolledInterfaceSpec;
  result: InterfaceResult;
  circuit: Circuit;
  /** Against the previous reading; null on the first reading after a gap. */
  outcome: RateOutcome | null;
  /**
   * An impossible rate whose baseline is kept: the next interval is wider,
   * holds the same bytes, and is judged again (counters an agent refreshed late).
   */
  widening: boolean;
  /** The interface's baseline from now on: a reading, or null to forget it (nothing was read). Undefined: keep the old one. */
  baseline: Baseline | null | undefined;
}

export interface DeviceMeasure {
  device: DeviceLive;
  circuits: CircuitLive[];
  interfaces: InterfaceMeasure[];
  /** Empty unless asked for (nms poll --no-store stores nothing). */
  points: Point[];
}

/**
 * @param baselineOf each interface's baseline before this poll.
 * @param intervalMs the device's poll interval: a gap of more than three stays a gap, with no rate across it.
 */
export function measure(
  topology: Topology,
  device: Device,
  poll: DevicePoll,
  baselineOf: (spec: PolledInterfaceSpec) => Baseline | undefined,
  intervalMs: number,
  withPoints: boolean,
): DeviceMeasure {
  const points: Point[] = withPoints ? [devicePoint(device, poll)] : [];
  const circuits: CircuitLive[] = [];
  const interfaces: InterfaceMeasure[] = [];
  for (const result of poll.interfaces) {
    const circuit = topology.circuit(result.spec.circuitId);
    const last = baselineOf(result.spec);
    const curr = result.reading;
    // The gap is judged on the collector's own clock.
    const prev = last && poll.atMs - last.atMs <= 3 * intervalMs ? last.reading : undefined;
    const outcome: RateOutcome | null = curr && prev ? computeRates(prev, curr, circuit.bandwidthBps) : null;
    const widening = outcome?.kind === 'impossible' && poll.atMs + intervalMs - last!.atMs <= 3 * intervalMs;
    const baseline = curr && !widening ? { reading: curr, atMs: poll.atMs } : curr ? undefined : null;
    interfaces.push({ spec: result.spec, result, circuit, outcome, widening, baseline });
    // Points carry the moment the agent took the counters, which a caching agent's reply does not.
    if (withPoints) points.push(...interfacePoints(topology, device, result, circuit, prev ?? null, outcome, result.takenAtMs ?? poll.atMs, widening));
    if (measuredEnd(topology, circuit) === result.spec.end) circuits.push(circuitLive(circuit, result, outcome, poll));
  }
  return { device: deviceLive(device, poll), circuits, interfaces, points };
}

function devicePoint(device: Device, poll: DevicePoll): Point {
  return {
    measurement: 'device_health',
    tags: { device: device.id, site: device.siteId, vendor: device.vendor, role: device.role },
    fields: {
      reachable: poll.reachable ? 1 : 0,
      cpu_pct: poll.cpuPct,
      mem_pct: poll.memPct,
      uptime_s: poll.uptimeCs === null ? null : poll.uptimeCs / 100,
      response_ms: poll.reachable ? poll.responseMs : null,
    },
    timeMs: poll.atMs,
  };
}

function deviceLive(device: Device, poll: DevicePoll): DeviceLive {
  return {
    deviceId: device.id,
    reachable: poll.reachable,
    responseMs: poll.reachable ? poll.responseMs : null,
    cpuPct: poll.cpuPct,
    memPct: poll.memPct,
    uptimeS: poll.uptimeCs === null ? null : poll.uptimeCs / 100,
    polledFromMs: poll.atMs - poll.responseMs,
    updatedAtMs: poll.atMs,
    error: poll.error,
  };
}

function interfacePoints(
  topology: Topology,
  device: Device,
  result: InterfaceResult,
  circuit: Circuit,
  prev: InterfaceReading | null,
  outcome: RateOutcome | null,
  atMs: number,
  widening: boolean,
): Point[] {
  const curr = result.reading;
  if (!curr) return [];
  const points: Point[] = [];
  const rate = outcome?.kind === 'rate' ? outcome.sample : null;
  points.push({
    measurement: 'interface_traffic',
    tags: { device: device.id, site: device.siteId, ifname: result.ifName ?? result.spec.ref.value, circuit: circuit.id },
    fields: {
      oper_status: curr.operStatus,
      in_bps: rate?.inBps,
      out_bps: rate?.outBps,
      in_errors: rate?.inErrors,
      out_errors: rate?.outErrors,
      in_discards: rate?.inDiscards,
      out_discards: rate?.outDiscards,
      interval_s: rate?.intervalS,
    },
    timeMs: atMs,
  });
  if (measuredEnd(topology, circuit) !== result.spec.end) return points;
  const tags = circuitTags(topology, circuit);
  if (rate) {
    const [inBps, outBps] = inCircuitFrame(result.spec.end, rate.inBps, rate.outBps);
    points.push({
      measurement: 'circuit_traffic',
      tags: { ...tags, end: result.spec.end },
      fields: {
        in_bps: inBps,
        out_bps: outBps,
        in_util_pct: utilizationPct(inBps, circuit.bandwidthBps),
        out_util_pct: utilizationPct(outBps, circuit.bandwidthBps),
        in_errors: rate.inErrors,
        out_errors: rate.outErrors,
        in_discards: rate.inDiscards,
        out_discards: rate.outDiscards,
        interval_s: rate.intervalS,
      },
      timeMs: atMs,
    });
  }
  // A widened interval is counted once, by the reading that closes it.
  const split = prev && outcome && outcome.kind !== 'reset' && !widening ? statusSplit(prev, curr) : null;
  points.push({
    measurement: 'circuit_status',
    tags,
    fields: { up: curr.operStatus === IF_OPER_UP ? 1 : 0, up_s: split?.upS, down_s: split?.downS },
    timeMs: atMs,
  });
  return points;
}

function circuitLive(circuit: Circuit, result: InterfaceResult, outcome: RateOutcome | null, poll: DevicePoll): CircuitLive {
  const reading = result.reading;
  const rate = outcome?.kind === 'rate' ? outcome.sample : null;
  // Live is "now": a link that is down carries nothing, whatever the interval that saw it fall averaged (that average is stored).
  const down = reading !== null && reading.operStatus !== IF_OPER_UP;
  const [inBps, outBps] = down ? [0, 0] : rate ? inCircuitFrame(result.spec.end, rate.inBps, rate.outBps) : [null, null];
  return {
    circuitId: circuit.id,
    status: reading ? (reading.operStatus === IF_OPER_UP ? 'up' : 'down') : 'unknown',
    inBps,
    outBps,
    inUtilPct: inBps === null ? null : utilizationPct(inBps, circuit.bandwidthBps),
    outUtilPct: outBps === null ? null : utilizationPct(outBps, circuit.bandwidthBps),
    statusSinceMs:
      reading && reading.lastChangeCs <= reading.uptimeCs ? (result.takenAtMs ?? poll.atMs) - (reading.uptimeCs - reading.lastChangeCs) * 10 : null,
    errorsPerS: rate ? (rate.inErrors + rate.outErrors + rate.inDiscards + rate.outDiscards) / rate.intervalS : null,
    end: result.spec.end,
    polledFromMs: poll.atMs - poll.responseMs,
    updatedAtMs: poll.atMs,
    note: !poll.reachable ? poll.error : (result.error ?? (outcome && outcome.kind !== 'rate' ? outcome.reason : null)),
  };
}
