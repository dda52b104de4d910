/**
 * When an agent's counters were taken. Net-SNMP's snmpd (and many routers)
 * refresh IF-MIB counters on a timer, every 3 s for Debian's snmpd, while
 * sysUpTime is live. Paired with the live sysUpTime, a 10 s interval then
 * holds 9 s or 12 s worth of bytes: rates 10–20% off, and the high ones
 * look impossible on a line at its contract. Measured on Debian's snmpd, the
 * refreshes keep a fixed phase in sysUpTime (within ±4 cs over minutes), so
 * the agent's own clock tells when its counters were taken once the period
 * and one refresh are known.
 *
 * Pure functions: probes in (readings a few hundredths of a second apart),
 * a model out; the model gives each reading the sysUpTime of its snapshot.
 */

/** One quick reading of sysUpTime and the watched counters. */
export interface RefreshProbe {
  uptimeCs: number;
  /** The watched counters as read; a refresh shows as any of them changing. */
  values: readonly bigint[];
}

export type RefreshModel =
  /** Counters are read when asked (the simulator, most routers): sysUpTime is their time. */
  | { kind: 'live' }
  /**
   * Counters are refreshed every periodCs, at anchorCs + k × periodCs.
   * anchorCs is the last refresh measured and firstCs the earliest, so the
   * period is refined over an ever longer baseline.
   */
  | { kind: 'cached'; periodCs: number; anchorCs: number; firstCs: number };

export type Cached = Extract<RefreshModel, { kind: 'cached' }>;

export type ProbeVerdict = { kind: 'live' } | { kind: 'cached'; periodCs: number; refreshCs: number } | { kind: 'undecided'; reason: string };

/** A change seen between probes further apart than this does not place a refresh well enough. */
export const MAX_BRACKET_CS = 15;
/** Probe intervals that must all show a change to call counters live. */
const LIVE_RUN = 6;

const changed = (a: RefreshProbe, b: RefreshProbe) => a.values.some((v, i) => v !== b.values[i]);

/**
 * Judges a burst of probes, in order. Live: the counters changed between
 * every pair of probes in a run. Cached: two refreshes were bracketed
 * closely, with unchanged probes between them. Probes whose sysUpTime did
 * not advance are ignored (a frozen agent tells nothing).
 */
export function judgeProbes(probes: readonly RefreshProbe[]): ProbeVerdict {
  const ordered = probes.filter((p, i) => i === 0 || p.uptimeCs > probes[i - 1]!.uptimeCs);
  let run = 0;
  let unchangedSince = 0;
  const refreshes: number[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const [a, b] = [ordered[i - 1]!, ordered[i]!];
    if (!changed(a, b)) {
      run = 0;
      unchangedSince++;
      continue;
    }
    if (++run >= LIVE_RUN && refreshes.length === 0) return { kind: 'live' };
    // A refresh is placed only after a stretch without change, and only when bracketed closely.
    if (unchangedSince >= 2 && b.uptimeCs - a.uptimeCs <= MAX_BRACKET_CS) refreshes.push((a.uptimeCs + b.uptimeCs) / 2);
    unchangedSince = 0;
  }
  if (refreshes.length < 2) return { kind: 'undecided', reason: refreshes.length ? 'one refresh seen' : 'no refresh seen (idle interfaces?)' };
  // The shortest gap between refreshes seen is the period (a refresh with no traffic shows no change).
  let periodCs = Infinity;
  for (let i = 1; i < refreshes.length; i++) periodCs = Math.min(periodCs, refreshes[i]! - refreshes[i - 1]!);
  return { kind: 'cached', periodCs, refreshCs: refreshes[refreshes.length - 1]! };
}

/** A model from a cached verdict. */
export function cachedModel(periodCs: number, refreshCs: number): Cached {
  return { kind: 'cached', periodCs, anchorCs: refreshCs, firstCs: refreshCs };
}

/** A refresh's own jitter (±4 cs measured on Debian's snmpd) plus the probes' bracket. */
const JITTER_CS = 10;
/** How wrong one period measured between two bracketed refreshes can be: two brackets and two jitters. */
const ONE_PERIOD_ERROR_CS = 13;

/**
 * How far from its predicted time a refresh near `uptimeCs` may be: jitter,
 * plus the period's error (smaller the longer the baseline it was measured
 * over) times the periods since the last measured refresh.
 */
export function guardCs(model: Cached, uptimeCs: number): number {
  const baseline = Math.max(1, Math.round((model.anchorCs - model.firstCs) / model.periodCs));
  const periods = Math.abs(uptimeCs - model.anchorCs) / model.periodCs;
  return Math.max(JITTER_CS, 0.04 * model.periodCs) + (ONE_PERIOD_ERROR_CS / baseline) * periods;
}

/** Whether a refresh should be measured now: the prediction grows too loose, or a minute has passed. */
export function verifyDue(model: Cached, uptimeCs: number, everyCs: number): boolean {
  return uptimeCs - model.anchorCs >= everyCs || guardCs(model, nextRefresh(model, uptimeCs)) > model.periodCs / 8;
}

export type Snapshot = { kind: 'at'; uptimeCs: number } | { kind: 'ambiguous'; nextRefreshCs: number };

/**
 * The sysUpTime at which counters read at `uptimeCs` were taken, or
 * ambiguous when the reading fell so near a refresh that it may be either
 * side of it (the caller reads again after nextRefreshCs).
 */
export function snapshotAt(model: RefreshModel, uptimeCs: number): Snapshot {
  if (model.kind === 'live') return { kind: 'at', uptimeCs };
  const k = Math.floor((uptimeCs - model.anchorCs) / model.periodCs);
  const last = model.anchorCs + k * model.periodCs;
  const next = last + model.periodCs;
  const guard = guardCs(model, uptimeCs);
  if (guard >= model.periodCs / 2) return { kind: 'ambiguous', nextRefreshCs: next };
  if (uptimeCs - last < guard || next - uptimeCs < guard) {
    return { kind: 'ambiguous', nextRefreshCs: uptimeCs - last < guard ? last : next };
  }
  return { kind: 'at', uptimeCs: last };
}

/** The first predicted refresh after `uptimeCs`. */
export function nextRefresh(model: Cached, uptimeCs: number): number {
  return model.anchorCs + (Math.floor((uptimeCs - model.anchorCs) / model.periodCs) + 1) * model.periodCs;
}

/**
 * The model after a refresh was measured at `measuredCs`: the period is
 * refined over the whole baseline since the first refresh measured, or null
 * when the measurement is not near any predicted refresh (the model no longer
 * holds: calibrate again).
 */
export function refine(model: Cached, measuredCs: number): RefreshModel | null {
  const predicted = model.anchorCs + Math.round((measuredCs - model.anchorCs) / model.periodCs) * model.periodCs;
  if (Math.abs(measuredCs - predicted) > Math.min(guardCs(model, measuredCs), model.periodCs / 3)) return null;
  const periods = Math.round((measuredCs - model.firstCs) / model.periodCs);
  const periodCs = periods >= 1 ? (measuredCs - model.firstCs) / periods : model.periodCs;
  return { ...model, periodCs, anchorCs: measuredCs };
}
