/**
 * The thresholds and timings the alarm engine decides by. Defaults suit a
 * city's 2M/10M leased lines polled every 30–60 s; each SLA tier may set its
 * own utilization timing (its thresholds in percent come from topology.yaml).
 */
import type { Severity } from '../../shared/alarms/types.ts';

export interface UtilizationTiming {
  /** How long utilization must stay at or above the tier's threshold before it is raised. */
  sustainMs: number;
  /** How long it must stay below the threshold, less the margin, before it clears. */
  clearAfterMs: number;
  /** Percentage points below the threshold that count as clear (hysteresis). */
  clearMarginPct: number;
}

export interface AlarmRules {
  /**
   * How long a device's alarm waits for the circuits and devices on its path
   * from the NMS to be polled again, so a fault upstream can explain it.
   */
  upstreamWaitMs: number;
  /**
   * How long a circuit or device must be back before its outage alarm clears,
   * so a link that bounces gives one alarm (and then a flapping one), not a
   * push per bounce. The outage's end is still the moment it came back.
   */
  outageClearAfterMs: number;
  /** A circuit that changes state this many times within flapWindowMs is flapping. */
  flapTransitions: number;
  flapWindowMs: number;
  utilization: UtilizationTiming;
  /** Per SLA tier name, overrides of the utilization timing. */
  tierUtilization: Readonly<Record<string, Partial<UtilizationTiming>>>;
  /** Input plus output errors and discards per second at which a circuit is degraded. */
  errorsPerSecond: number;
  errorsSustainMs: number;
  errorsClearAfterMs: number;
  /** Circuit quality against the SLA tier's latency, loss and jitter limits. */
  quality: QualityTiming;
  /** A city poller unheard for this long is silent (centre.silentAfter). */
  pollerSilentMs: number;
  /** A device-rebooted alarm clears itself after this long. */
  rebootHoldMs: number;
  /** Cleared alarms kept in memory for the console; older history lives in InfluxDB. */
  historyLimit: number;
}

export interface QualityTiming {
  /** The rounds judged together: loss over 100 echoes says more than over 20. */
  windowMs: number;
  /** How long the window must stay over a limit before the alarm is raised. */
  sustainMs: number;
  /** How long it must stay under every limit, less the margin, before it clears. */
  clearAfterMs: number;
  /** Fraction of each limit to be under to count as clear (hysteresis). */
  clearMargin: number;
}

export const DEFAULT_ALARM_RULES: AlarmRules = {
  upstreamWaitMs: 150_000,
  outageClearAfterMs: 60_000,
  flapTransitions: 4,
  flapWindowMs: 10 * 60_000,
  utilization: { sustainMs: 15 * 60_000, clearAfterMs: 5 * 60_000, clearMarginPct: 5 },
  tierUtilization: {},
  errorsPerSecond: 1,
  errorsSustainMs: 5 * 60_000,
  errorsClearAfterMs: 5 * 60_000,
  quality: { windowMs: 5 * 60_000, sustainMs: 3 * 60_000, clearAfterMs: 5 * 60_000, clearMargin: 0.2 },
  pollerSilentMs: 60_000,
  rebootHoldMs: 15 * 60_000,
  historyLimit: 2000,
};

export function utilizationTiming(rules: AlarmRules, tier: string): UtilizationTiming {
  return { ...rules.utilization, ...rules.tierUtilization[tier] };
}

/** Uplinks (county, province, external) carry many departments: their loss is critical. */
export function circuitDownSeverity(level: string): Severity {
  return level === 'department' ? 'major' : 'critical';
}

export function deviceDownSeverity(role: string): Severity {
  return role === 'cpe' ? 'major' : 'critical';
}
