/**
 * A probe round's figures from its round-trip times in the order the packets
 * were sent (null for a packet never answered): loss, min / median / mean /
 * max, and jitter as RFC 3550 section 6.4.1 measures the difference D between
 * consecutive packets, here averaged over the round (Smokeping and fping's
 * own summaries do the same for their spread).
 */
import type { QualityRound } from '../../shared/quality/circuitQuality.ts';

export type RoundFigures = Pick<QualityRound, 'sent' | 'received' | 'lossPct' | 'rttMinMs' | 'rttMedianMs' | 'rttMeanMs' | 'rttMaxMs' | 'jitterMs'>;

export function roundFigures(rtts: ReadonlyArray<number | null>): RoundFigures {
  const answered = rtts.filter((r): r is number => r !== null);
  const sent = rtts.length;
  const received = answered.length;
  const lossPct = sent === 0 ? 100 : ((sent - received) / sent) * 100;
  if (received === 0) return { sent, received, lossPct, rttMinMs: null, rttMedianMs: null, rttMeanMs: null, rttMaxMs: null, jitterMs: null };
  const sorted = [...answered].sort((a, b) => a - b);
  const mid = Math.floor(received / 2);
  const median = received % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  // Consecutive answered packets: a lost one in between leaves its neighbours consecutive.
  let jitterSum = 0;
  for (let i = 1; i < received; i++) jitterSum += Math.abs(answered[i]! - answered[i - 1]!);
  return {
    sent,
    received,
    lossPct,
    rttMinMs: sorted[0]!,
    rttMedianMs: median,
    rttMeanMs: answered.reduce((s, r) => s + r, 0) / received,
    rttMaxMs: sorted[received - 1]!,
    jitterMs: received >= 2 ? jitterSum / (received - 1) : null,
  };
}
