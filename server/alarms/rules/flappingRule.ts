/**
 * flapping: a circuit that changed state flapTransitions times within
 * flapWindowMs. It takes the place of the circuit's outage alarm (absorbed),
 * so a bouncing link pushes once; it clears when the window holds no change
 * and the circuit is up.
 */
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { AlarmEvent } from '../../../shared/alarms/types.ts';
import type { AlarmRule, RuleContext } from './alarmRule.ts';

export class FlappingRule implements AlarmRule {
  readonly kinds = ['flapping'] as const;

  constructor(private readonly ctx: RuleContext) {}

  evaluate(now: number, events: AlarmEvent[]): void {
    const { ctx } = this;
    const { flapWindowMs, flapTransitions } = ctx.rules;
    for (const [id, o] of ctx.circuits) {
      if (o.transitions.length && now - o.transitions[0]! > flapWindowMs) o.transitions = o.transitions.filter((t) => now - t <= flapWindowMs);
      const active = ctx.active(`flapping:${id}`);
      if (!active && o.transitions.length >= flapTransitions) {
        const down = ctx.active(`circuit_down:${id}`);
        const alarm = ctx.open(
          'flapping',
          { type: 'circuit', id },
          o.transitions[0]!,
          now,
          'major',
          EVIDENCE.flapping(o.transitions.length, flapWindowMs / 60_000),
          ctx.tree.ofCircuit(id),
        );
        if (down) events.push({ type: 'absorbed', alarm: ctx.close(down, now, null), rootId: alarm.id });
        events.push({ type: 'raised', alarm });
      } else if (active && o.transitions.length === 0 && o.status === 'up') {
        events.push({ type: 'cleared', alarm: ctx.close(active, now, o.sinceMs) });
      }
    }
  }
}
