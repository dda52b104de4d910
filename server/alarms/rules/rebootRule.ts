/**
 * device_rebooted: sysUpTime that fell (not a 497-day wrap), or a coldStart
 * or warmStart trap. Seen as it is observed, so raised between evaluations;
 * it clears itself after rebootHoldMs, the restart being over.
 */
import { EVIDENCE } from '../../../shared/alarms/alarmWords.ts';
import type { AlarmEvent } from '../../../shared/alarms/types.ts';
import type { DeviceLive } from '../../../shared/live/liveState.ts';
import type { LocalizedName } from '../../../shared/model/types.ts';
import { uptimeDelta } from '../../../shared/snmp/uptime.ts';
import type { AlarmRule, DeviceObs, RuleContext } from './alarmRule.ts';

export class RebootRule implements AlarmRule {
  readonly kinds = ['device_rebooted'] as const;

  constructor(private readonly ctx: RuleContext) {}

  /** A poll of the device, against what was known of it before. */
  deviceObserved(prev: DeviceObs | undefined, live: DeviceLive): void {
    if (prev?.uptimeS == null || live.uptimeS === null || uptimeDelta(prev.uptimeS * 100, live.uptimeS * 100) !== null) return;
    const at = live.updatedAtMs;
    this.raise(live.deviceId, at - live.uptimeS * 1000, at, EVIDENCE.uptimeFell(prev.uptimeS, live.uptimeS));
  }

  /** A coldStart or warmStart trap. */
  restartTrap(deviceId: string, kind: 'coldStart' | 'warmStart', atMs: number): void {
    this.raise(deviceId, atMs, atMs, EVIDENCE.rebootTrap(kind));
  }

  evaluate(now: number, events: AlarmEvent[]): void {
    for (const alarm of this.ctx.activeAlarms()) {
      if (alarm.kind === 'device_rebooted' && now - alarm.raisedAtMs >= this.ctx.rules.rebootHoldMs)
        events.push({ type: 'cleared', alarm: this.ctx.close(alarm, now, alarm.startedAtMs) });
    }
  }

  private raise(deviceId: string, since: number, now: number, evidence: LocalizedName): void {
    if (this.ctx.active(`device_rebooted:${deviceId}`)) return;
    this.ctx.emit({ type: 'raised', alarm: this.ctx.open('device_rebooted', { type: 'device', id: deviceId }, since, now, 'warning', evidence, null) });
  }
}
