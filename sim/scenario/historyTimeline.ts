/**
 * What went wrong on the simulated network over the month before the demo's
 * first start: a handful of department lines down in working hours, one
 * county uplink out for an afternoon (every department behind it cut off),
 * a router reboot and a spell of line errors. Chosen from the topology by
 * seed, so any network gets a month a manager can read an SLA report from,
 * and the same seed gives the same month.
 */
import type { Topology } from '../../shared/model/topology.ts';
import { utcOffsetSeconds } from '../../shared/time/zonedTime.ts';
import { pick } from '../traffic/random.ts';

/** A fault as the simulator's control API takes it (checked there), at a simulated time. */
export interface TimedFault {
  atMs: number;
  fault: Record<string, unknown>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

/**
 * Faults in [fromMs, toMs), each over at least an hour before toMs, in time order.
 */
export function historyTimeline(topology: Topology, fromMs: number, toMs: number, seed: number): TimedFault[] {
  const tz = topology.network.timezone;
  const localDay = (ms: number) => Math.floor((ms + utcOffsetSeconds(tz, new Date(ms)) * 1000) / DAY);
  const dayStart = (day: number) => {
    const guess = day * DAY;
    return guess - utcOffsetSeconds(tz, new Date(guess)) * 1000;
  };
  const uplinkIds = new Set(topology.circuits.flatMap((c) => c.upstreamIds));
  const departments = topology.circuits.filter((c) => c.level === 'department' && c.z.kind === 'device');
  const uplinks = topology.circuits.filter((c) => c.level === 'county' && uplinkIds.has(c.id));
  const devices = topology.devices.filter((d) => d.managed && d.role !== 'core');
  const out: TimedFault[] = [];
  const firstDay = localDay(fromMs) + 1;
  const lastDay = localDay(toMs) - 1;
  const at = (day: number, key: string, fromHour: number, toHour: number) =>
    dayStart(day) + Math.floor(pick(seed, `${key}:hour`, fromHour * 60, toHour * 60)) * MIN;
  const choose = <T>(list: readonly T[], key: string): T | undefined => list[Math.floor(pick(seed, key, 0, list.length))];
  const add = (startMs: number, endMs: number, down: Record<string, unknown>, up: Record<string, unknown> | null) => {
    if (startMs < fromMs || endMs > toMs - HOUR) return;
    out.push({ atMs: startMs, fault: down });
    if (up) out.push({ atMs: endMs, fault: up });
  };
  // A department line down about twice a week, 20 minutes to 2 hours, in working hours.
  for (let day = firstDay; day <= lastDay; day++) {
    if (pick(seed, `dept-day:${day}`, 0, 1) > 0.3) continue;
    const circuit = choose(departments, `dept:${day}`);
    if (!circuit) break;
    const start = at(day, `dept:${day}`, 9, 16);
    const end = start + Math.floor(pick(seed, `dept-len:${day}`, 20, 120)) * MIN;
    add(start, end, { fault: 'link-down', circuit: circuit.id }, { fault: 'link-up', circuit: circuit.id });
  }
  const middle = firstDay + Math.floor((lastDay - firstDay) / 2);
  const uplink = choose(uplinks, 'uplink');
  if (uplink) {
    const start = at(middle, 'uplink', 13, 15);
    add(start, start + 3 * HOUR + 12 * MIN, { fault: 'link-down', circuit: uplink.id }, { fault: 'link-up', circuit: uplink.id });
  }
  const rebooted = choose(devices, 'reboot');
  if (rebooted) add(at(middle - 5, 'reboot', 2, 5), at(middle - 5, 'reboot', 2, 5), { fault: 'reboot', device: rebooted.id, downtime: '3m' }, null);
  const noisy = choose(departments, 'errors');
  if (noisy) {
    const start = at(middle + 4, 'errors', 10, 15);
    add(start, start + 40 * MIN, { fault: 'errors', circuit: noisy.id, end: 'z', perSecond: 15, for: '40m' }, null);
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
