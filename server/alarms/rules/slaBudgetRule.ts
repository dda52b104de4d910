/**
 * sla_budget: the SLA ledger's verdict that a circuit's downtime this
 * period has spent (or will spend) its tier's allowance. The ledger decides;
 * this rule only raises the alarm with its reason, and clears it when the
 * verdict is withdrawn.
 */
import type { AlarmEvent } from '../../../shared/alarms/types.ts';
import type { LocalizedName } from '../../../shared/model/types.ts';
import type { AlarmRule, RuleContext } from './alarmRule.ts';

export class SlaBudgetRule implements AlarmRule {
  readonly kinds = ['sla_budget'] as const;

  constructor(private readonly ctx: RuleContext) {}

  /** A breach, with why, raises the alarm; null clears it. */
  verdict(circuitId: string, breach: LocalizedName | null, nowMs: number): void {
    const active = this.ctx.active(`sla_budget:${circuitId}`);
    if (breach !== null && !active)
      this.ctx.emit({ type: 'raised', alarm: this.ctx.open('sla_budget', { type: 'circuit', id: circuitId }, nowMs, nowMs, 'major', breach, null) });
    else if (breach === null && active) this.ctx.emit({ type: 'cleared', alarm: this.ctx.close(active, nowMs, nowMs) });
  }

  evaluate(_now: number, _events: AlarmEvent[]): void {
    // Decided when the ledger gives its verdict, not on the clock.
  }
}
