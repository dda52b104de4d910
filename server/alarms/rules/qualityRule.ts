/**
 * circuit_degraded: a circuit whose window of probe rounds has stayed over
 * its SLA tier's latency, loss or jitter limit for the sustain time. Not
 * while it is down (that is its outage), nor while something on its path
 * upstream is degraded too: the root carries it as impacted, so one fault
 * pushes once. It clears after the window stays under every limit, less a
 * margin, for the clear time.
 */
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { Alarm, AlarmEvent } from '../../../shared/alarms/types.ts';
import type { QualityLive } from '../../../shared/live/liveState.ts';
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import { qualityBreaches, windowFigures, type QualityBreach } from '../../../shared/quality/circuitQuality.ts';
import type { AlarmRule, RuleContext } from './alarmRule.ts';

/** A circuit's recent probe rounds and where its window stands against the SLA. */
interface QualityObs {
  rounds: QualityLive[];
  /** Since when the window has been over a limit (null: it is not). */
  overSinceMs: number | null;
  /** Since when it has been under every limit less the margin. */
  underSinceMs: number | null;
  breaches: QualityBreach[];
  target: string;
  /** When the latest round that timed any echo began: a round whose echoes were all left out judged nothing. */
  judgedFromMs: number;
}

export class QualityRule implements AlarmRule {
  readonly kinds = ['circuit_degraded'] as const;
  readonly #quality = new Map<string, QualityObs>();

  constructor(private readonly ctx: RuleContext) {}

  /** A probe round: the window of recent rounds is judged against the circuit's SLA limits. */
  round(q: QualityLive): void {
    const { topology, rules } = this.ctx;
    const tier = topology.slaTiers.get(topology.circuit(q.circuitId).slaTier);
    if (!tier) return;
    const o = this.#quality.get(q.circuitId) ?? { rounds: [], overSinceMs: null, underSinceMs: null, breaches: [], target: q.target, judgedFromMs: -1 };
    this.#quality.set(q.circuitId, o);
    o.target = q.target;
    o.rounds.push(q);
    const from = q.endedAtMs - rules.quality.windowMs;
    o.rounds = o.rounds.filter((r) => r.endedAtMs > from);
    // Rounds taken while the line was down belong to its outage, not to its quality.
    const figures = windowFigures(o.rounds.filter((r) => !r.downDuring));
    if (!figures) return;
    if (q.sent > 0) o.judgedFromMs = q.startedAtMs;
    const breaches = qualityBreaches(figures, tier.quality);
    if (breaches.length) {
      o.overSinceMs ??= q.startedAtMs;
      o.underSinceMs = null;
      o.breaches = breaches;
    } else if (qualityBreaches(figures, tier.quality, rules.quality.clearMargin).length === 0) {
      o.underSinceMs ??= q.endedAtMs;
      o.overSinceMs = null;
    }
  }

  evaluate(now: number, events: AlarmEvent[]): void {
    const { ctx } = this;
    const { topology } = ctx;
    const timing = ctx.rules.quality;
    for (const [id, o] of this.#quality) {
      const active = ctx.active(`circuit_degraded:${id}`);
      const down = this.outage(id);
      const root = this.degradedUpstream(id);
      if (active) {
        if (down) events.push({ type: 'absorbed', alarm: ctx.close(active, now, null), rootId: down.id });
        else if (o.underSinceMs !== null && now - o.underSinceMs >= timing.clearAfterMs)
          events.push({ type: 'cleared', alarm: ctx.close(active, now, o.underSinceMs) });
        else if (root && ctx.active(`circuit_degraded:${root}`))
          events.push({ type: 'absorbed', alarm: ctx.close(active, now, null), rootId: ctx.active(`circuit_degraded:${root}`)!.id });
        continue;
      }
      if (o.overSinceMs === null || now - o.overSinceMs < timing.sustainMs || down || root) continue;
      if (!this.upstreamJudged(id, o) && now - o.overSinceMs < timing.sustainMs + ctx.rules.upstreamWaitMs) continue;
      const c = topology.circuit(id);
      // Far over a limit (5× the loss, twice the delay or jitter) is service lost in all but name.
      const severe = o.breaches.some((b) => b.value >= b.limit * (b.measure === 'loss' ? 5 : 2));
      const evidence = EVIDENCE.degraded(CARRIER_NAMES[c.carrier], c.carrierCircuitId, o.breaches, Math.round(timing.windowMs / 1000), o.target);
      events.push({
        type: 'raised',
        alarm: ctx.open('circuit_degraded', { type: 'circuit', id }, o.overSinceMs, now, severe ? 'major' : 'minor', evidence, ctx.tree.ofCircuit(id)),
      });
    }
  }

  /** An uplink is degraded while its window is over a limit, and as long as its alarm stands. */
  private over(id: string): boolean {
    return this.#quality.get(id)?.overSinceMs != null || this.ctx.active(`circuit_degraded:${id}`) !== undefined;
  }

  /** The alarm that makes the circuit's quality its outage's business, if any. */
  private outage(id: string): Alarm | undefined {
    return (
      this.ctx.active(`circuit_down:${id}`) ??
      this.ctx.active(`flapping:${id}`) ??
      this.ctx.activeAlarms().find((a) => (a.kind === 'circuit_down' || a.kind === 'device_unreachable') && a.impactedCircuits.includes(id))
    );
  }

  /** The furthest degraded circuit upstream on the circuit's path, if any. */
  private degradedUpstream(id: string): string | null {
    const seen = new Set<string>();
    const walk = (cid: string): string | null => {
      for (const up of this.ctx.topology.circuit(cid).upstreamIds) {
        if (seen.has(up)) continue;
        seen.add(up);
        if (this.over(up)) return walk(up) ?? up;
        const further = walk(up);
        if (further) return further;
      }
      return null;
    };
    return walk(id);
  }

  /**
   * Whether every probed circuit above has a verdict on a round that began
   * no earlier than this one's latest: each round's verdict waits for its own
   * circuit's poll, so a department's can come before its uplink's, and must
   * wait for it. Rounds overlap (the next begins before the last answer of
   * this one is waited out), so an uplink's round that merely ended later is
   * not enough: it may be the one before. A round with every echo left out (a
   * busy machine) is no verdict. And the uplink is heard over the whole of the
   * department's sustain: which echoes a fault loses is chance, so the
   * department's window may go over a round or two before its uplink's does,
   * although the fault is the uplink's.
   */
  private upstreamJudged(id: string, o: QualityObs): boolean {
    const { topology } = this.ctx;
    const since = Math.max(o.rounds.at(-1)?.startedAtMs ?? 0, (o.overSinceMs ?? 0) + this.ctx.rules.quality.sustainMs);
    /** Circuits above this one on its path, nearest first. */
    const ancestors = (cid: string): string[] => topology.circuit(cid).upstreamIds.flatMap((up) => [up, ...ancestors(up)]);
    return ancestors(id).every((up) => !topology.circuit(up).probe || (this.#quality.get(up)?.judgedFromMs ?? -1) >= since);
  }
}
