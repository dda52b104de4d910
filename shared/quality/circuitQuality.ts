/**
 * A circuit's measured quality: one probe round's figures, and the one rule
 * for when they break the carrier's promise. The prober makes rounds, the
 * alarm engine and the reports judge them by `qualityBreaches`, and the
 * console shows them.
 */
import type { ProbeMethod, QualityLimits } from '../model/types.ts';

export interface QualityRound {
  circuitId: string;
  method: ProbeMethod;
  /** What was probed, for evidence: "10.43.10.1" or "127.0.0.1:40123". */
  target: string;
  /** When the round's first packet left and its last answer was awaited until (collector clock). */
  startedAtMs: number;
  endedAtMs: number;
  /** Echoes sent and timed; `unmeasured` more were sent but not counted. */
  sent: number;
  received: number;
  /** Echoes left out because the prober itself was stalled while they were in flight (a busy machine). */
  unmeasured: number;
  lossPct: number;
  /** Round-trip times of the answered packets, ms; null when none answered. */
  rttMinMs: number | null;
  rttMedianMs: number | null;
  rttMeanMs: number | null;
  rttMaxMs: number | null;
  /** Mean absolute difference of consecutive answered round trips (RFC 3550's D); null with fewer than two. */
  jitterMs: number | null;
  /** Replies that came twice; not counted as received again. */
  duplicates: number;
  /** ICMP errors or send failures seen during the round, as the tool reported them (first few). */
  errors: string[];
}

export type QualityMeasure = 'latency' | 'loss' | 'jitter';

export interface QualityBreach {
  measure: QualityMeasure;
  value: number;
  limit: number;
}

/**
 * Which of the SLA's limits these figures exceed. Latency is judged on the
 * median (one slow echo is a busy router's control plane, not the line), loss
 * on its percentage, jitter on its mean. A round with nothing answered is
 * judged by loss alone: its latency is unknown, not zero.
 * @param margin fraction of each limit to stay below (0.2: under 80% of it), for clearing with hysteresis.
 */
export function qualityBreaches(figures: Pick<QualityRound, 'lossPct' | 'rttMedianMs' | 'jitterMs'>, limits: QualityLimits, margin = 0): QualityBreach[] {
  const out: QualityBreach[] = [];
  const check = (measure: QualityMeasure, value: number | null, limit: number | null) => {
    if (value !== null && limit !== null && value > limit * (1 - margin)) out.push({ measure, value, limit });
  };
  check('latency', figures.rttMedianMs, limits.latencyMs);
  check('loss', figures.lossPct, limits.lossPct);
  check('jitter', figures.jitterMs, limits.jitterMs);
  return out;
}

/**
 * Rounds judged together: loss over all their packets, latency as the median
 * of their medians, jitter as the mean of theirs. Null when none had packets.
 */
export function windowFigures(
  rounds: ReadonlyArray<Pick<QualityRound, 'sent' | 'received' | 'rttMedianMs' | 'jitterMs'>>,
): Pick<QualityRound, 'lossPct' | 'rttMedianMs' | 'jitterMs'> | null {
  const sent = rounds.reduce((s, r) => s + r.sent, 0);
  if (sent === 0) return null;
  const received = rounds.reduce((s, r) => s + r.received, 0);
  const medians = rounds
    .map((r) => r.rttMedianMs)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  const jitters = rounds.map((r) => r.jitterMs).filter((v): v is number => v !== null);
  const mid = Math.floor(medians.length / 2);
  return {
    lossPct: ((sent - received) / sent) * 100,
    rttMedianMs: medians.length === 0 ? null : medians.length % 2 ? medians[mid]! : (medians[mid - 1]! + medians[mid]!) / 2,
    jitterMs: jitters.length === 0 ? null : jitters.reduce((s, v) => s + v, 0) / jitters.length,
  };
}

/** Whether a tier names any quality limit at all. */
export function hasQualityLimits(limits: QualityLimits): boolean {
  return limits.latencyMs !== null || limits.lossPct !== null || limits.jitterMs !== null;
}
