/**
 * errors: a circuit whose input and output errors and discards reach
 * errorsPerSecond for errorsSustainMs (a dirty line, a duplex mismatch);
 * it clears after staying below for errorsClearAfterMs.
 */
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { AlarmEvent } from '../../../shared/alarms/types.ts';
import type { AlarmRule, CircuitObs, RuleContext } from './alarmRule.ts';

interface Watch {
  overSinceMs: number | null;
  underSinceMs: number | null;
}

export class ErrorsRule implements AlarmRule {
  readonly kinds = ['errors'] as const;
  readonly #watch = new Map<string, Watch>();

  constructor(private readonly ctx: RuleContext) {}

  circuitObserved(circuitId: string, o: CircuitObs, at: number): void {
    if (o.errorsPerS === null) return;
    let w = this.#watch.get(circuitId);
    if (!w) this.#watch.set(circuitId, (w = { overSinceMs: null, underSinceMs: null }));
    if (o.errorsPerS >= this.ctx.rules.errorsPerSecond) {
      w.overSinceMs ??= at;
      w.underSinceMs = null;
    } else {
      w.underSinceMs ??= at;
      w.overSinceMs = null;
    }
  }

  evaluate(now: number, events: AlarmEvent[]): void {
    const { ctx } = this;
    for (const [id, w] of this.#watch) {
      const active = ctx.active(`errors:${id}`);
      if (!active && w.overSinceMs !== null && now - w.overSinceMs >= ctx.rules.errorsSustainMs) {
        events.push({
          type: 'raised',
          alarm: ctx.open('errors', { type: 'circuit', id }, w.overSinceMs, now, 'minor', EVIDENCE.errors(ctx.circuits.get(id)?.errorsPerS ?? null), null),
        });
      } else if (active && w.underSinceMs !== null && now - w.underSinceMs >= ctx.rules.errorsClearAfterMs) {
        events.push({ type: 'cleared', alarm: ctx.close(active, now, w.underSinceMs) });
      }
    }
  }
}
