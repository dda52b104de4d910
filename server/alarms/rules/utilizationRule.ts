/**
 * utilization: a circuit at or above its SLA tier's warning threshold for
 * the tier's sustain time; major once its peak reached the critical
 * threshold. It clears after staying below the threshold, less a margin,
 * for the clear time.
 */
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { AlarmEvent, Severity } from '../../../shared/alarms/types.ts';
import { utilizationTiming } from '../alarmRules.ts';
import type { AlarmRule, CircuitObs, RuleContext } from './alarmRule.ts';

interface Watch {
  /** Since when utilisation has been at or above the warning threshold (null: it is not). */
  overSinceMs: number | null;
  underSinceMs: number | null;
  peakPct: number;
}

export class UtilizationRule implements AlarmRule {
  readonly kinds = ['utilization'] as const;
  readonly #watch = new Map<string, Watch>();

  constructor(private readonly ctx: RuleContext) {}

  circuitObserved(circuitId: string, o: CircuitObs, at: number): void {
    const c = this.ctx.topology.circuit(circuitId);
    const tier = this.ctx.topology.slaTiers.get(c.slaTier);
    if (!tier || o.utilPct === null) return;
    const w = this.watchOf(circuitId);
    if (o.utilPct >= tier.utilizationWarnPct) {
      w.overSinceMs ??= at;
      w.underSinceMs = null;
      w.peakPct = Math.max(w.peakPct, o.utilPct);
    } else if (o.utilPct < tier.utilizationWarnPct - utilizationTiming(this.ctx.rules, c.slaTier).clearMarginPct) {
      w.underSinceMs ??= at;
      w.overSinceMs = null;
    }
  }

  evaluate(now: number, events: AlarmEvent[]): void {
    const { ctx } = this;
    for (const [id, w] of this.#watch) {
      const c = ctx.topology.circuit(id);
      const tier = ctx.topology.slaTiers.get(c.slaTier)!;
      const timing = utilizationTiming(ctx.rules, c.slaTier);
      const active = ctx.active(`utilization:${id}`);
      const severity: Severity = w.peakPct >= tier.utilizationCriticalPct ? 'major' : 'minor';
      if (!active && w.overSinceMs !== null && now - w.overSinceMs >= timing.sustainMs) {
        const evidence = EVIDENCE.utilization(tier.utilizationWarnPct, Math.round((now - w.overSinceMs) / 60_000), w.peakPct);
        events.push({ type: 'raised', alarm: ctx.open('utilization', { type: 'circuit', id }, w.overSinceMs, now, severity, evidence, null) });
      } else if (active && w.underSinceMs !== null && now - w.underSinceMs >= timing.clearAfterMs) {
        w.peakPct = 0;
        events.push({ type: 'cleared', alarm: ctx.close(active, now, w.underSinceMs) });
      }
    }
  }

  private watchOf(circuitId: string): Watch {
    let w = this.#watch.get(circuitId);
    if (!w) this.#watch.set(circuitId, (w = { overSinceMs: null, underSinceMs: null, peakPct: 0 }));
    return w;
  }
}
