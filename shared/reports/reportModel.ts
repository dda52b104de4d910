/**
 * A bandwidth and SLA report as every part of the product sees it: the
 * server builds it, the CLI and schedules write it as JSON, CSV, XLSX or PDF,
 * and the console shows it. Figures are plain numbers in bit/s, percent and
 * seconds; words for people are added by whoever renders it.
 */
import type { Carrier, QualityLimits } from '../model/types.ts';
import type { QualityMeasure } from '../quality/circuitQuality.ts';
import type { PeriodKind } from '../time/reportPeriod.ts';

export type ReportScope =
  | { kind: 'network' }
  | { kind: 'circuit'; id: string }
  | { kind: 'county'; id: string }
  | { kind: 'city'; id: string }
  | { kind: 'carrier'; id: Carrier };

export interface DirectionFigures {
  meanBps: number | null;
  /** The highest 5-minute maximum: the busiest poll interval. */
  peakBps: number | null;
  /** 95th percentile of the 5-minute means, nearest rank (the top 5% of intervals discarded), as carriers bill. */
  p95Bps: number | null;
}

/** 'too-little-data': advice withheld, the traffic coverage being below ADVICE_MIN_COVERAGE_PCT. */
export type CapacityAdvice = 'upgrade' | 'downgrade' | 'too-little-data' | null;

/** Below this share of the period with traffic data, no capacity advice is given: a few hours say nothing of a month. */
export const ADVICE_MIN_COVERAGE_PCT = 80;

/** What an outage is charged to: the circuit (and so its carrier) or the equipment whose alarm was the root. */
export type OutageCharge = { type: 'circuit'; id: string; carrier: Carrier; carrierCircuitId: string } | { type: 'device' | 'site'; id: string };

export interface OutageRow {
  circuitId: string;
  startMs: number;
  endMs: number | null;
  durationS: number;
  /** The ledger's cause, "<alarm kind> <subject id>": for machines; people get words from the renderer. */
  cause: string;
  causeKind: string;
  /** The circuit's own outage, or one it suffered from upstream. */
  own: boolean;
  chargedTo: OutageCharge;
}

/** Consecutive probe rounds over the SLA's limits while the line was up: one quality breach, with its evidence. */
export interface QualityEpisode {
  circuitId: string;
  startMs: number;
  endMs: number;
  degradedS: number;
  /** Which limits the rounds broke. */
  measures: QualityMeasure[];
  /** The worst round's median round trip, the loss over the episode, the worst jitter. */
  worstRttMs: number | null;
  lossPct: number;
  worstJitterMs: number | null;
  /** False when a circuit upstream was degraded at the same time: the episode is charged to it. */
  own: boolean;
  /** The circuit it is charged to (itself, or the upstream one). */
  chargedTo: { id: string; carrier: Carrier; carrierCircuitId: string };
}

/** A circuit's measured quality over the period, against its SLA tier's limits. */
export interface QualityFigures {
  limits: QualityLimits;
  /** Seconds covered by probe rounds, and their share of the period. */
  probedS: number;
  coveragePct: number;
  /** Of the 5-minute means of the rounds' medians. */
  rttMedianMs: number | null;
  rttP95Ms: number | null;
  /** Lost ÷ sent over the period; and the 95th percentile of the 5-minute losses. */
  lossPct: number | null;
  lossP95Pct: number | null;
  jitterMedianMs: number | null;
  jitterP95Ms: number | null;
  /** The month's median RTT, loss and median jitter all within their limits; null with no data or no limits. */
  met: boolean | null;
  degradedS: number;
  /** Degraded time not explained by a degraded circuit upstream. */
  ownDegradedS: number;
  episodes: QualityEpisode[];
}

export interface CircuitFigures {
  circuitId: string;
  name: { zh: string; en: string } | null;
  carrier: Carrier;
  carrierCircuitId: string;
  contractBps: number;
  ownerSiteId: string;
  countyId: string | null;
  slaTier: string;
  in: DirectionFigures;
  out: DirectionFigures;
  /** Of the contract, the busier direction: mean, peak and 95th percentile. */
  utilization: { meanPct: number | null; peakPct: number | null; p95Pct: number | null };
  /** Share of the period's 5-minute intervals that hold traffic data. */
  coveragePct: number;
  availability: {
    /** Null when none of the period is known. */
    pct: number | null;
    targetPct: number;
    /** Null when unknown. */
    met: boolean | null;
    downS: number;
    /** Time whose state is known (up or down); planned work and unknown time are not. */
    knownS: number;
    unknownS: number;
    maintenanceS: number;
    /** Down because of an outage upstream, charged there: excluded from pct like planned work. */
    upstreamDownS: number;
    /** Share of the period whose state is known (planned work excluded from the period). */
    coveragePct: number;
    /** Own outages only. */
    outageCount: number;
    upstreamOutageCount: number;
    mttrS: number | null;
    /** What its users had, own and upstream outages together. */
    servicePct: number | null;
  };
  outages: OutageRow[];
  /** Null when the circuit is not probed, or nothing was measured in the period. */
  quality: QualityFigures | null;
  advice: CapacityAdvice;
  /** The same figures for the period before, for the trend. */
  previous: { meanBps: number | null; p95Bps: number | null; availabilityPct: number | null };
}

export interface CarrierScore {
  carrier: Carrier;
  circuits: number;
  /** Weighted by known time. */
  availabilityPct: number | null;
  outageCount: number;
  mttrS: number | null;
  /** Circuits below their SLA target on their own outages, with the evidence to send. */
  breaches: Array<{ circuitId: string; carrierCircuitId: string; availabilityPct: number; targetPct: number; outages: OutageRow[] }>;
  /** Quality breaches of this carrier's circuits (their own, not an uplink's), with times and figures. */
  qualityBreaches: QualityEpisode[];
  degradedS: number;
  /** Outages of this carrier's circuits that took other circuits down with them, and which. */
  knockOn: Array<{
    rootCircuitId: string;
    carrierCircuitId: string;
    startMs: number;
    endMs: number | null;
    durationS: number;
    impacted: Array<{ circuitId: string; carrier: Carrier; ownerSiteId: string }>;
  }>;
}

export interface Report {
  format: 'nms-report/1';
  generatedAtMs: number;
  network: { id: string; name: { zh: string; en: string } };
  period: { kind: PeriodKind; label: string; fromMs: number; toMs: number; timeZone: string };
  previousPeriod: { label: string; fromMs: number; toMs: number };
  scope: ReportScope;
  scopeName: { zh: string; en: string };
  /** Where the traffic figures came from: the 5-minute rollup, or raw samples. */
  source: 'rollup_5m' | 'raw';
  thresholds: CapacityThresholds;
  totals: {
    circuits: number;
    contractBps: number;
    in: { meanBps: number | null; p95Bps: number | null };
    out: { meanBps: number | null; p95Bps: number | null };
    trafficCoveragePct: number;
    availabilityPct: number | null;
    availabilityCoveragePct: number;
    outageCount: number;
    mttrS: number | null;
    previous: { inMeanBps: number | null; outMeanBps: number | null; availabilityPct: number | null };
  };
  /** Mean total traffic (in + out, all circuits in scope) by local hour of day, 0–23. */
  hourProfile: Array<{ hour: number; bps: number | null }>;
  /** The three busiest local hours, busiest first. */
  busiestHours: number[];
  circuits: CircuitFigures[];
  topBusiest: string[];
  leastUsed: string[];
  carriers: CarrierScore[];
}

export interface CapacityThresholds {
  /** Upgrade when the 95th percentile of the busier direction is above this share of the contract. */
  upgradeP95Pct: number;
  /** Downgrade candidate when even the peak stays below this share. */
  downgradePeakPct: number;
  /** How many circuits the top and bottom lists hold. */
  topN: number;
}

export const DEFAULT_CAPACITY_THRESHOLDS: CapacityThresholds = { upgradeP95Pct: 70, downgradePeakPct: 20, topN: 10 };
