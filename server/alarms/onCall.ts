/**
 * Who is on call, and who hears of an alarm when: the rota (排班), the
 * escalation ladder and quiet hours, as pure functions of the config and a
 * clock reading. Times of day and hand-overs are in the network's zone
 * (Asia/Shanghai); a rotation hands over once a day at its hand-over time.
 */
import { z } from 'zod';
import { phoneNumber } from '../../shared/input/phoneNumber.ts';
import type { Alarm, Severity } from '../../shared/alarms/types.ts';
import { durationSchema } from '../../shared/model/unitSchemas.ts';
import { localParts } from '../../shared/time/zonedTime.ts';

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time of day like 08:30' });
const id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'must be lower-case letters, digits, ".", "_" or "-"' });

export const onCallSchema = z
  .strictObject({
    people: z.array(
      z.strictObject({
        id,
        name: z.string().min(1),
        mobile: phoneNumber.optional(),
        email: z.email().optional(),
      }),
    ),
    rotations: z.array(
      z.strictObject({
        name: id,
        /** Hand-over time, local. */
        handover: timeOfDay.default('08:30'),
        /** Days each person holds the duty. */
        days: z.number().int().min(1).max(31).default(1),
        /** The local date the first person listed starts (at the hand-over time). */
        start: z.iso.date(),
        people: z.array(id).min(1),
        /** Notification channels this rotation's pushes go to. */
        channels: z.array(z.string()).min(1),
      }),
    ),
    /** Level 1 hears at once; each later level when the alarm is still unacknowledged after its delay. */
    escalation: z.array(z.strictObject({ rotation: id, after: durationSchema.optional() })).min(1),
    /** Pushes of these severities wait for the end of quiet hours; critical never waits. */
    quietHours: z
      .strictObject({ from: timeOfDay, to: timeOfDay, severities: z.array(z.enum(['major', 'minor', 'warning'])).default(['minor', 'warning']) })
      .optional(),
  })
  .superRefine((c, ctx) => {
    const people = new Set(c.people.map((p) => p.id));
    const rotations = new Set(c.rotations.map((r) => r.name));
    c.rotations.forEach((r, i) => {
      r.people.forEach((p, k) => {
        if (!people.has(p)) ctx.addIssue({ code: 'custom', path: ['rotations', i, 'people', k], message: `no person "${p}" under people` });
      });
    });
    c.escalation.forEach((e, i) => {
      if (!rotations.has(e.rotation)) ctx.addIssue({ code: 'custom', path: ['escalation', i, 'rotation'], message: `no rotation "${e.rotation}"` });
      if (i > 0 && e.after === undefined)
        ctx.addIssue({ code: 'custom', path: ['escalation', i, 'after'], message: 'every level after the first needs a delay (after: 15m)' });
    });
  });

export type OnCallConfig = z.output<typeof onCallSchema>;
export type Person = OnCallConfig['people'][number];

export interface EscalationLevel {
  /** 1 for the first to hear. */
  level: number;
  rotation: string;
  channels: string[];
  /** How long after the raise, unacknowledged, this level hears (0 for level 1). */
  afterMs: number;
}

/** Minutes since local midnight and the local date (days since the epoch) at an instant. */
function local(ms: number, zone: string): { day: number; minutes: number } {
  const p = localParts(ms, zone);
  return { day: Date.UTC(p.year, p.month - 1, p.day) / 86_400_000, minutes: p.hour * 60 + p.minute };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Who holds a rotation's duty at an instant. */
export function onDuty(config: OnCallConfig, rotation: string, atMs: number, zone: string): Person {
  const r = config.rotations.find((x) => x.name === rotation)!;
  const now = local(atMs, zone);
  // Before today's hand-over, yesterday's person is still on duty.
  const dutyDay = now.day - (now.minutes < minutesOf(r.handover) ? 1 : 0);
  const startDay = Date.parse(`${r.start}T00:00:00Z`) / 86_400_000;
  const turns = Math.floor((dutyDay - startDay) / r.days);
  const index = ((turns % r.people.length) + r.people.length) % r.people.length;
  return config.people.find((p) => p.id === r.people[index])!;
}

export function escalationLevels(config: OnCallConfig): EscalationLevel[] {
  return config.escalation.map((e, i) => ({
    level: i + 1,
    rotation: e.rotation,
    channels: config.rotations.find((r) => r.name === e.rotation)!.channels,
    afterMs: (e.after ?? 0) * 1000,
  }));
}

/** The levels an alarm has become due for by now: level 1 always, later ones while unacknowledged. */
export function levelsDue(config: OnCallConfig, alarm: Alarm, nowMs: number): EscalationLevel[] {
  return escalationLevels(config).filter((l) => l.level === 1 || (alarm.ack === null && nowMs - alarm.raisedAtMs >= l.afterMs));
}

/** Whether a push of this severity must wait at this instant; if so, until when. */
export function quietUntil(config: OnCallConfig, severity: Severity, atMs: number, zone: string): number | null {
  const q = config.quietHours;
  if (!q || severity === 'critical' || !(q.severities as Severity[]).includes(severity)) return null;
  const { minutes } = local(atMs, zone);
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const inside = from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
  if (!inside) return null;
  const wait = (to - minutes + 24 * 60) % (24 * 60);
  // To the start of the minute quiet hours end, local.
  return atMs - (atMs % 60_000) + wait * 60_000;
}

/**
 * The on-call settings, checked against the channels that exist.
 * @throws Error listing every problem with its path under alarms.onCall.
 */
export function parseOnCall(raw: Record<string, unknown> | null, channels: readonly string[]): OnCallConfig | null {
  if (raw === null) return null;
  const parsed = onCallSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `alarms.onCall.${i.path.join('.')}: ${i.message}`);
  if (parsed.success) {
    parsed.data.rotations.forEach((r, i) => {
      r.channels.forEach((c, k) => {
        if (!channels.includes(c)) problems.push(`alarms.onCall.rotations.${i}.channels.${k}: no channel "${c}" under alarms.channels`);
      });
    });
  }
  if (problems.length) throw new Error(`on-call settings:\n  ${problems.join('\n  ')}`);
  return parsed.data!;
}
