/**
 * How good the simulated lines are: each circuit's own round-trip delay,
 * jitter and loss, and what an echo from the network control centre sees on
 * the way to a device (every circuit of its path added up). A line's delay
 * is its propagation and equipment (fixed per circuit by the seed) plus
 * queueing that grows with its load, plus whatever a `degrade` fault adds.
 * Jitter is the RFC 3550 mean difference between consecutive round trips
 * that the echo responder produces (see echoDelayMs).
 */
import type { Circuit } from '../../shared/model/types.ts';
import { hashString, unit } from '../traffic/random.ts';

export interface LinkQuality {
  delayMs: number;
  jitterMs: number;
  lossPct: number;
}

export const PERFECT: LinkQuality = { delayMs: 0, jitterMs: 0, lossPct: 0 };

/** A degrade fault's addition to a line. */
export interface Degradation {
  lossPct: number;
  delayMs: number;
  jitterMs: number;
}

/** A circuit's quality when idle and healthy: a county MSTP line 3–8 ms, a department's 1.5–4 ms. */
export function baseQuality(seed: number, circuit: Circuit): LinkQuality {
  const s = (seed ^ hashString(`quality:${circuit.id}`)) >>> 0;
  const [lo, hi] = circuit.level === 'department' ? [1.5, 4] : [3, 8];
  return { delayMs: lo + unit(s, 1) * (hi - lo), jitterMs: 0.2 + unit(s, 2) * 0.6, lossPct: 0 };
}

/**
 * The line now: queueing adds up to one full-size packet's time on the wire
 * at full load (6 ms on a 2M line), growing with the square of the load.
 */
export function lineQuality(base: LinkQuality, bandwidthBps: number, utilization: number, degradations: readonly Degradation[]): LinkQuality {
  const packetMs = ((1500 * 8) / bandwidthBps) * 1000;
  const u = Math.min(1, Math.max(0, utilization));
  let keep = 1 - base.lossPct / 100;
  let delayMs = base.delayMs + packetMs * u * u;
  let jitterSq = base.jitterMs ** 2;
  for (const d of degradations) {
    keep *= 1 - d.lossPct / 100;
    delayMs += d.delayMs;
    jitterSq += d.jitterMs ** 2;
  }
  return { delayMs, jitterMs: Math.sqrt(jitterSq), lossPct: (1 - keep) * 100 };
}

/** One line after another: delays add, losses compound, independent jitters add in quadrature. */
export function followedBy(path: LinkQuality, line: LinkQuality): LinkQuality {
  return {
    delayMs: path.delayMs + line.delayMs,
    jitterMs: Math.hypot(path.jitterMs, line.jitterMs),
    lossPct: (1 - (1 - path.lossPct / 100) * (1 - line.lossPct / 100)) * 100,
  };
}

/**
 * One echo's round trip on a path, from a uniform random number in [0, 1):
 * the delay plus noise uniform over ±1.5 × jitter, whose consecutive
 * differences average exactly the path's jitter (E|U1 − U2| = 2w/3).
 */
export function echoDelayMs(q: LinkQuality, random: number): number {
  return Math.max(0, q.delayMs + (random * 2 - 1) * 1.5 * q.jitterMs);
}
