/**
 * poller_silent: a city poller unheard for silentAfter has one alarm, whose
 * impact is its whole share: the centre cannot see those circuits, which
 * makes them unknown, not down (no outage is charged for the silence; what
 * the poller saw meanwhile comes with its replay). It clears when the
 * poller is heard.
 */
import type { AlarmEvent } from '../../../shared/alarms/types.ts';
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { Impact } from '../impactTree.ts';
import type { AlarmRule, RuleContext } from './alarmRule.ts';

/** A city poller the centre hears, and what it owns (shared/bus/pollerShare). */
export interface WatchedPoller {
  name: string;
  /** The sites it was given (centre.pollers), for people. */
  givenSites: readonly string[];
  /** Every site of its share, the ones it was given and those below. */
  sites: readonly string[];
  devices: readonly string[];
  circuits: readonly string[];
}

export class PollerSilentRule implements AlarmRule {
  readonly kinds = ['poller_silent'] as const;
  /** When each was last heard (centre clock). */
  readonly #pollers = new Map<string, WatchedPoller & { heardAtMs: number }>();

  constructor(private readonly ctx: RuleContext) {}

  /**
   * The pollers whose silence is an alarm. Each counts as heard now, so a
   * centre just started gives them their full silentAfter to speak; one whose
   * alarm stands from before the restart was last heard when that began.
   */
  watch(pollers: readonly WatchedPoller[], nowMs: number): void {
    for (const p of pollers) {
      const heardAtMs = this.#pollers.get(p.name)?.heardAtMs ?? this.ctx.active(`poller_silent:${p.name}`)?.startedAtMs ?? nowMs;
      this.#pollers.set(p.name, { ...p, heardAtMs });
    }
  }

  /** A message from a poller reached the centre (any message: a heartbeat, a replayed observation). */
  heard(name: string, atMs: number): void {
    const p = this.#pollers.get(name);
    if (p && atMs > p.heardAtMs) p.heardAtMs = atMs;
  }

  evaluate(now: number, events: AlarmEvent[]): void {
    const { ctx } = this;
    for (const p of this.#pollers.values()) {
      const active = ctx.active(`poller_silent:${p.name}`);
      const silentMs = now - p.heardAtMs;
      if (active && silentMs < ctx.rules.pollerSilentMs) events.push({ type: 'cleared', alarm: ctx.close(active, now, p.heardAtMs) });
      else if (!active && silentMs >= ctx.rules.pollerSilentMs) {
        const names = p.givenSites.map((id) => ctx.topology.siteById.get(id)?.name ?? { zh: id, en: id });
        const impact: Impact = { circuits: [...p.circuits], sites: [...p.sites], devices: [...p.devices] };
        events.push({
          type: 'raised',
          alarm: ctx.open(
            'poller_silent',
            { type: 'poller', id: p.name },
            p.heardAtMs,
            now,
            'major',
            EVIDENCE.pollerSilent(p.name, names, Math.round(silentMs / 1000)),
            impact,
          ),
        });
      }
    }
  }
}
