/**
 * circuit_down and device_unreachable, decided together because each is the
 * other's root cause or consequence. A fault that a fault upstream explains
 * (a county router silent because its uplink is down, and the departments
 * behind it) raises nothing of its own; it is listed as impacted under the
 * root alarm. The decision is taken on the whole current state, not in poll
 * order: a device that looks unreachable waits, up to upstreamWaitMs, until
 * everything on its path from the NMS has been seen since its fault began.
 */
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { Alarm, AlarmEvent, AlarmKind, AlarmSubject, Severity } from '../../../shared/alarms/types.ts';
import { measuredDeviceId } from '../../../shared/model/circuitFrame.ts';
import type { LocalizedName } from '../../../shared/model/types.ts';
import { circuitDownSeverity, deviceDownSeverity } from '../alarmRules.ts';
import type { Impact } from '../impactTree.ts';
import type { AlarmRule, RuleContext } from './alarmRule.ts';

export class OutageRule implements AlarmRule {
  readonly kinds = ['circuit_down', 'device_unreachable'] as const;

  constructor(private readonly ctx: RuleContext) {}

  evaluate(now: number, events: AlarmEvent[]): void {
    const { ctx } = this;
    const downCircuits = new Set<string>();
    for (const [id, o] of ctx.circuits) if (o.status === 'down') downCircuits.add(id);
    const downDevices = new Set<string>();
    for (const [id, o] of ctx.devices) if (!o.reachable) downDevices.add(id);
    const flapping = (id: string) => ctx.active(`flapping:${id}`) !== undefined;

    // A device still linked to the NMS when every down circuit and every *other* silent
    // device is taken out is silent on its own account: it is a root. One not linked is
    // explained by something upstream.
    const linked = ctx.tree.reachable(downCircuits, new Set());
    const roots: Array<{ kind: AlarmKind; subject: AlarmSubject; since: number; detail: LocalizedName; severity: Severity; impact: Impact }> = [];
    for (const id of downCircuits) {
      const c = ctx.topology.circuit(id);
      const measured = measuredDeviceId(ctx.topology, c);
      // A circuit measured on a silent device is unknown, not down; a flapping one has its own alarm.
      if (downDevices.has(measured) || flapping(id)) continue;
      roots.push({
        kind: 'circuit_down',
        subject: { type: 'circuit', id },
        since: ctx.circuits.get(id)!.sinceMs,
        detail: EVIDENCE.operDown(measured),
        severity: circuitDownSeverity(c.level),
        impact: ctx.tree.ofCircuit(id),
      });
    }
    for (const id of downDevices) {
      if (!linked.has(id) || !this.upstreamSettled(id, downDevices, now)) continue;
      // Silent because an upstream device is silent (it forwards nothing either)?
      if (!ctx.tree.isRoot(id) && ctx.tree.uplinksOf(id).every((c) => downDevices.has(c.a.deviceId))) continue;
      const o = ctx.devices.get(id)!;
      roots.push({
        kind: 'device_unreachable',
        subject: { type: 'device', id },
        since: o.sinceMs,
        detail: EVIDENCE.noAnswer(o.error),
        severity: deviceDownSeverity(ctx.topology.device(id).role),
        impact: ctx.tree.ofDevice(id),
      });
    }

    const rootKeys = new Set<string>();
    for (const r of roots) {
      const key = `${r.kind}:${r.subject.id}`;
      rootKeys.add(key);
      if (!ctx.active(key)) events.push({ type: 'raised', alarm: ctx.open(r.kind, r.subject, r.since, now, r.severity, r.detail, r.impact) });
    }
    for (const alarm of ctx.activeAlarms()) {
      if (alarm.kind !== 'circuit_down' && alarm.kind !== 'device_unreachable') continue;
      if (rootKeys.has(alarm.key)) continue;
      // A circuit seen as unknown (its device silent) is not back; only `up` clears it.
      const back =
        alarm.subject.type === 'circuit' ? ctx.circuits.get(alarm.subject.id)?.status === 'up' : ctx.devices.get(alarm.subject.id)?.reachable === true;
      if (!back) {
        const root = ctx.activeAlarms().find((a) => a !== alarm && rootKeys.has(a.key) && this.explains(a, alarm));
        if (root) events.push({ type: 'absorbed', alarm: ctx.close(alarm, now, null), rootId: root.id });
        continue;
      }
      // Hysteresis: back for a while before the clear is pushed; the outage still ends when it ended.
      const backSince = alarm.subject.type === 'circuit' ? ctx.circuits.get(alarm.subject.id)!.sinceMs : ctx.devices.get(alarm.subject.id)!.sinceMs;
      if (now - backSince >= ctx.rules.outageClearAfterMs) events.push({ type: 'cleared', alarm: ctx.close(alarm, now, backSince) });
    }
  }

  /** Whether root alarm `root` accounts for alarm `other`. */
  private explains(root: Alarm, other: Alarm): boolean {
    const { tree } = this.ctx;
    const impact = root.subject.type === 'circuit' ? tree.ofCircuit(root.subject.id) : tree.ofDevice(root.subject.id);
    return other.subject.type === 'circuit' ? impact.circuits.includes(other.subject.id) : impact.devices.includes(other.subject.id);
  }

  /**
   * Whether a silent device's own fault is proven: everything on its paths
   * from the NMS has been seen since the question arose (its silence began,
   * or its path last changed, whichever is later), and it was found silent by
   * a poll that began after its path last changed. Or it has waited long
   * enough.
   */
  private upstreamSettled(deviceId: string, downDevices: ReadonlySet<string>, now: number): boolean {
    const { ctx } = this;
    const own = ctx.devices.get(deviceId)!;
    const path: Array<{ observedAtMs: number; sinceMs: number }> = [];
    const seen = new Set<string>();
    let complete = true;
    const walk = (id: string): void => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const c of ctx.tree.uplinksOf(id)) {
        const a = c.a.deviceId;
        // A silent upstream device already explains everything behind it.
        if (downDevices.has(a)) continue;
        const co = ctx.circuits.get(c.id);
        const ao = ctx.devices.get(a);
        if (!co || !ao) {
          complete = false;
          continue;
        }
        path.push(co, ao);
        walk(a);
      }
    };
    walk(deviceId);
    const pathChangedAt = Math.max(0, ...path.map((p) => p.sinceMs));
    const question = Math.max(own.sinceMs, pathChangedAt);
    if (now - question >= ctx.rules.upstreamWaitMs) return true;
    return complete && own.pollStartMs >= pathChangedAt && path.every((p) => p.observedAtMs >= question);
  }
}
