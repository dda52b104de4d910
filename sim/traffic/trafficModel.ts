/**
 * What each circuit carries: a pure, seeded function of circuit, direction
 * and time slot. Traffic follows the government office day in the network's
 * time zone (busy 08:30–11:45 and 14:30–17:30 on weekdays, a lunch dip, quiet
 * nights and weekends), with smooth noise and occasional bursts, and never
 * exceeds the contracted bandwidth: a leased line is shaped by the carrier.
 */
import type { Circuit } from '../../shared/model/types.ts';
import { hashString, pick, smoothNoise, unit } from './random.ts';

/** Rates are constant within a slot of simulated time. */
export const SLOT_SECONDS = 10;

export type Direction = 'a2z' | 'z2a';
export type TrafficKind = 'hot' | 'normal' | 'idle';

export interface TrafficProfile {
  circuitId: string;
  kind: TrafficKind;
  /** Octets per second at the contracted bandwidth. */
  capacity: number;
  /** Peak utilization (0–1) in each direction on a busy weekday. */
  peak: Record<Direction, number>;
  /** Night-time activity as a fraction of peak. */
  night: number;
  /** Utilization a burst reaches: near line rate, except on idle lines, where a burst is small too. */
  burst: Record<Direction, number>;
  /** Mean packet size, for unicast packet counters. */
  packetBytes: number;
  seed: number;
}

/** Deterministic per-circuit character: a few run hot near their ceiling, a few sit idle. */
export function trafficProfile(seed: number, circuit: Circuit): TrafficProfile {
  const s = (seed ^ hashString(circuit.id)) >>> 0;
  const u = unit(s, 1);
  const kind: TrafficKind = u < 0.15 ? 'hot' : u > 0.87 ? 'idle' : 'normal';
  const a2z = kind === 'hot' ? pick(s, 'peak', 0.88, 0.98) : kind === 'idle' ? pick(s, 'peak', 0.02, 0.06) : pick(s, 'peak', 0.25, 0.65);
  // Departments download far more than they send; uplinks and the exit are more even.
  const upload = circuit.level === 'department' || circuit.level === 'county' ? pick(s, 'up', 0.25, 0.6) : pick(s, 'up', 0.6, 0.95);
  return {
    circuitId: circuit.id,
    kind,
    capacity: circuit.bandwidthBps / 8,
    peak: { a2z, z2a: a2z * upload },
    burst: kind === 'idle' ? { a2z: a2z * 3, z2a: a2z * upload * 3 } : { a2z: 0.85, z2a: 0.85 },
    night: pick(s, 'night', 0.04, 0.12),
    packetBytes: Math.round(pick(s, 'pkt', 380, 900)),
    seed: s,
  };
}

/** Activity over a weekday (0–1) by local hour, as [hour, level] points joined by straight lines. */
const WEEKDAY: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [7, 0],
  [8, 0.3],
  [8.75, 0.9],
  [10, 1],
  [11.5, 0.95],
  [12, 0.45],
  [13.5, 0.4],
  [14.5, 0.9],
  [16, 1],
  [17.5, 0.85],
  [18.5, 0.3],
  [20, 0.12],
  [23, 0.02],
  [24, 0],
];

function interpolate(points: ReadonlyArray<readonly [number, number]>, x: number): number {
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x0, y0] = points[i - 1]!;
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return points[points.length - 1]![1];
}

/** Local office activity (0–1) at a UTC instant, for a zone `utcOffsetSeconds` ahead of UTC. */
export function officeActivity(utcSeconds: number, utcOffsetSeconds: number): number {
  const local = utcSeconds + utcOffsetSeconds;
  const day = Math.floor(local / 86400);
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  const hour = (local - day * 86400) / 3600;
  const curve = interpolate(WEEKDAY, hour);
  return weekday === 0 || weekday === 6 ? curve * 0.15 : curve;
}

/**
 * Offered rate in octets per second (an integer) for one direction during
 * the slot that starts at `slot * SLOT_SECONDS` (UTC seconds).
 */
export function offeredOctetsPerSecond(p: TrafficProfile, dir: Direction, slot: number, utcOffsetSeconds: number): number {
  const t = slot * SLOT_SECONDS;
  const dirSeed = dir === 'a2z' ? p.seed : (p.seed ^ 0x5bd1e995) >>> 0;
  const activity = p.night + (1 - p.night) * officeActivity(t, utcOffsetSeconds);
  // Five-minute swells, and a little jitter slot to slot.
  const swell = 0.8 + 0.4 * smoothNoise(dirSeed, t / 300);
  const jitter = 0.94 + 0.12 * unit(dirSeed, slot);
  let util = p.peak[dir] * activity * swell * jitter;
  // Bursts: some ten-minute windows hold a one-to-five-minute transfer near line rate.
  const window = Math.floor(t / 600);
  if (unit(dirSeed ^ 0xb5297a4d, window) < 0.06 * (0.3 + activity)) {
    const start = window * 600 + Math.floor(unit(dirSeed ^ 0x68e31da4, window) * 480);
    const length = 60 + Math.floor(unit(dirSeed ^ 0x1b56c4e9, window) * 240);
    if (t >= start && t < start + length) util = Math.max(util, p.burst[dir] * (1 + 0.16 * unit(dirSeed, slot ^ 0x2545f491)));
  }
  return Math.floor(p.capacity * Math.min(util, 1));
}
