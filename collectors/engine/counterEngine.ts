/**
 * The counter engine: two readings of an interface in, a rate or a refusal
 * out. Pure functions with no I/O, so the arithmetic that managers renew
 * contracts from is tested on its own.
 *
 * - The interval comes from the device's sysUpTime, not the collector's clock:
 *   the device stamped its counters, and a late reply does not skew the rate.
 * - A counter that went down has wrapped (32- or 64-bit) and is unwrapped
 *   exactly; whether that was plausible is judged by the rate it gives.
 * - A reset (sysUpTime went back, or ifCounterDiscontinuityTime changed)
 *   makes the sample meaningless: it is dropped, never turned into a spike.
 * - A rate above the contracted bandwidth × 1.05 cannot happen on a shaped
 *   leased line: it is flagged and not stored. ifSpeed is never the limit.
 */

import { uptimeDelta } from '../../shared/snmp/uptime.ts';

export const TWO_POW_32 = 2 ** 32;
export const IMPOSSIBLE_RATIO = 1.05;

export interface InterfaceReading {
  /** Device sysUpTime when read, in hundredths of a second. */
  uptimeCs: number;
  /** Octet counters as read: 64-bit (HC) or 32-bit, per `width`. */
  inOctets: bigint;
  outOctets: bigint;
  width: 32 | 64;
  inErrors: number;
  outErrors: number;
  inDiscards: number;
  outDiscards: number;
  operStatus: number;
  adminStatus: number;
  lastChangeCs: number;
  discontinuityCs: number;
}

export interface RateSample {
  intervalS: number;
  inBps: number;
  outBps: number;
  inErrors: number;
  outErrors: number;
  inDiscards: number;
  outDiscards: number;
  /** Which octet counters wrapped in this interval (and were unwrapped). */
  wrapped: { in: boolean; out: boolean };
}

export type RateOutcome =
  | { kind: 'rate'; sample: RateSample }
  | { kind: 'reset'; reason: string }
  | { kind: 'impossible'; inBps: number; outBps: number; limitBps: number; reason: string }
  | { kind: 'invalid'; reason: string };

/** Difference of two readings of a counter of `width` bits, unwrapping one wrap. */
export function counterDelta(prev: bigint, curr: bigint, width: 32 | 64): { delta: bigint; wrapped: boolean } {
  if (curr >= prev) return { delta: curr - prev, wrapped: false };
  return { delta: curr + (width === 64 ? TWO_POW_64N : TWO_POW_32N) - prev, wrapped: true };
}

const TWO_POW_32N = 1n << 32n;
const TWO_POW_64N = 1n << 64n;

/** A 32-bit counter's delta in plain numbers: exact, since both readings are below 2^32. */
const small = (prev: number, curr: number) => (curr >= prev ? curr - prev : curr + TWO_POW_32 - prev);

/** The rate between two readings, judged against the contracted bandwidth (bit/s). */
export function computeRates(prev: InterfaceReading, curr: InterfaceReading, contractBps: number): RateOutcome {
  if (prev.width !== curr.width) return { kind: 'reset', reason: `counter width changed from ${prev.width} to ${curr.width} bits` };
  const dt = uptimeDelta(prev.uptimeCs, curr.uptimeCs);
  if (dt === null) return { kind: 'reset', reason: `sysUpTime went back from ${prev.uptimeCs} to ${curr.uptimeCs}: the device restarted` };
  if (curr.discontinuityCs !== prev.discontinuityCs) {
    return { kind: 'reset', reason: `ifCounterDiscontinuityTime changed from ${prev.discontinuityCs} to ${curr.discontinuityCs}: counters were reset` };
  }
  if (dt <= 0) return { kind: 'invalid', reason: 'no time passed between readings' };
  const intervalS = dt / 100;
  const dIn = counterDelta(prev.inOctets, curr.inOctets, curr.width);
  const dOut = counterDelta(prev.outOctets, curr.outOctets, curr.width);
  const inBps = (Number(dIn.delta) * 8) / intervalS;
  const outBps = (Number(dOut.delta) * 8) / intervalS;
  const limitBps = contractBps * IMPOSSIBLE_RATIO;
  if (inBps > limitBps || outBps > limitBps) {
    const wrapped = dIn.wrapped || dOut.wrapped ? ' (after unwrapping a counter that went down: likely an unseen reset)' : '';
    const counters = `${curr.width}-bit octets in ${prev.inOctets}→${curr.inOctets}, out ${prev.outOctets}→${curr.outOctets} over ${intervalS.toFixed(2)} s of sysUpTime`;
    return {
      kind: 'impossible',
      inBps,
      outBps,
      limitBps,
      reason: `rate in ${mbit(inBps)}, out ${mbit(outBps)} above the contracted ${mbit(contractBps)} × ${IMPOSSIBLE_RATIO}${wrapped}; ${counters}`,
    };
  }
  return {
    kind: 'rate',
    sample: {
      intervalS,
      inBps,
      outBps,
      inErrors: small(prev.inErrors, curr.inErrors),
      outErrors: small(prev.outErrors, curr.outErrors),
      inDiscards: small(prev.inDiscards, curr.inDiscards),
      outDiscards: small(prev.outDiscards, curr.outDiscards),
      wrapped: { in: dIn.wrapped, out: dOut.wrapped },
    },
  };
}

const mbit = (bps: number) => `${(bps / 1e6).toFixed(3)} Mbit/s`;

export const IF_OPER_UP = 1;

/**
 * How the interval between two readings splits into known-up and known-down
 * seconds, using ifLastChange to place a change exactly. Null when unknown
 * (the device restarted in between): gaps stay gaps.
 */
export function statusSplit(prev: InterfaceReading, curr: InterfaceReading): { upS: number; downS: number } | null {
  const dt = uptimeDelta(prev.uptimeCs, curr.uptimeCs);
  if (dt === null || dt <= 0) return null;
  const wasUp = prev.operStatus === IF_OPER_UP;
  const isUp = curr.operStatus === IF_OPER_UP;
  const changedInside = curr.lastChangeCs > prev.uptimeCs && curr.lastChangeCs <= curr.uptimeCs;
  if (!changedInside) {
    if (wasUp !== isUp) {
      // A change we cannot place (ifLastChange out of range): split evenly rather than guess a side.
      return { upS: dt / 200, downS: dt / 200 };
    }
    return isUp ? { upS: dt / 100, downS: 0 } : { upS: 0, downS: dt / 100 };
  }
  const before = (curr.lastChangeCs - prev.uptimeCs) / 100;
  const after = (curr.uptimeCs - curr.lastChangeCs) / 100;
  return {
    upS: (wasUp ? before : 0) + (isUp ? after : 0),
    downS: (wasUp ? 0 : before) + (isUp ? 0 : after),
  };
}

/** Utilization in percent of the contracted bandwidth (never of ifSpeed). */
export function utilizationPct(bps: number, contractBps: number): number {
  return (bps / contractBps) * 100;
}
