/**
 * What a city poller tells the centre over NATS JetStream: each change of the
 * live state it keeps (a circuit's status and rates, a device's health, a
 * circuit's probe round) and each trap it received (mapped to the model),
 * as one message on `nms.obs.<poller>.<kind>`; a heartbeat with its own
 * health, so the centre can tell a quiet city from a silent poller; and word
 * of each alarm it pushed itself while alone. The
 * centre trusts nothing it receives: every message is checked against these
 * schemas before it reaches the alarm engine, and one that fails is set
 * aside with the reason, never retried for ever.
 */
import { z } from 'zod';
import type { CircuitLive, DeviceLive, LiveEvent, QualityLive } from '../live/liveState.ts';
import type { TrapObservation } from '../alarms/types.ts';

export const OBSERVATION_VERSION = 1;
export const OBSERVATION_SUBJECT_PREFIX = 'nms.obs';
/** A poller's name is a token of its subjects: letters, digits, "-" and "_". */
export const POLLER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export type ObservationKind = LiveEvent['kind'] | 'trap' | 'heartbeat' | 'pushed';

/**
 * Core NATS (not stored): the centre says it is there, every few seconds. A
 * poller with localAlarms that stops hearing it is alone, and pushes its
 * city's alarms itself.
 */
export const CENTRE_ALIVE_SUBJECT = 'nms.centre.alive';
export const CENTRE_ALIVE_EVERY_MS = 2000;

/** The beacon: the centre's time, and the revision of each poller's model (a poller running another fetches it). */
export interface CentreAlive {
  atMs: number;
  models: Record<string, string>;
}
const centreAlive = z.strictObject({
  atMs: z.number().finite(),
  models: z.record(z.string().regex(POLLER_NAME), z.string().max(64)),
}) satisfies z.ZodType<CentreAlive>;

/** The beacon, or null for anything else said on its subject (not heeded). */
export function decodeCentreAlive(data: Uint8Array): CentreAlive | null {
  try {
    const parsed = centreAlive.safeParse(JSON.parse(new TextDecoder().decode(data)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A poller with localAlarms pushed this alarm while alone: the centre, catching up, does not push it again. */
export interface PushedByPoller {
  alarmKey: string;
  startedAtMs: number;
  atMs: number;
}
export const observationSubject = (poller: string, kind: ObservationKind) => `${OBSERVATION_SUBJECT_PREFIX}.${poller}.${kind}`;

/** A poller's own health, every `poller.heartbeat`. */
export interface PollerHeartbeat {
  sentAtMs: number;
  /** When this run of the poller began. */
  upSinceMs: number;
  devices: number;
  circuits: number;
  /** State changes waiting to be published (its bus server away). */
  queued: number;
  /** State changes dropped past the queue's bound, since start. */
  dropped: number;
  /** Samples held on disk for InfluxDB (the spooling writer). */
  spooledPoints: number;
  /** It pushes its city's alarms itself while the centre is away (poller.localAlarms). */
  localAlarms: boolean;
}

const ms = z.number().finite().nonnegative();
const nullableNumber = z.number().finite().nullable();
const id = z.string().min(1).max(64);

const circuitLive = z.strictObject({
  circuitId: id,
  status: z.enum(['up', 'down', 'unknown']),
  inBps: nullableNumber,
  outBps: nullableNumber,
  inUtilPct: nullableNumber,
  outUtilPct: nullableNumber,
  statusSinceMs: ms.nullable(),
  errorsPerS: nullableNumber,
  end: z.enum(['a', 'z']),
  polledFromMs: ms,
  updatedAtMs: ms,
  note: z.string().max(1000).nullable(),
}) satisfies z.ZodType<CircuitLive>;

const deviceLive = z.strictObject({
  deviceId: id,
  reachable: z.boolean(),
  responseMs: nullableNumber,
  cpuPct: nullableNumber,
  memPct: nullableNumber,
  uptimeS: nullableNumber,
  polledFromMs: ms,
  updatedAtMs: ms,
  error: z.string().max(1000).nullable(),
}) satisfies z.ZodType<DeviceLive>;

const breach = z.strictObject({ measure: z.enum(['latency', 'loss', 'jitter']), value: z.number().finite(), limit: z.number().finite() });
const qualityLive = z.strictObject({
  circuitId: id,
  method: z.enum(['icmp', 'udp-echo']),
  target: z.string().max(100),
  startedAtMs: ms,
  endedAtMs: ms,
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  unmeasured: z.number().int().nonnegative(),
  lossPct: z.number().min(0).max(100),
  rttMinMs: nullableNumber,
  rttMedianMs: nullableNumber,
  rttMeanMs: nullableNumber,
  rttMaxMs: nullableNumber,
  jitterMs: nullableNumber,
  duplicates: z.number().int().nonnegative(),
  errors: z.array(z.string().max(300)).max(10),
  breaches: z.array(breach).max(3),
  downDuring: z.boolean(),
}) satisfies z.ZodType<QualityLive>;

const trap = z.strictObject({
  kind: z.enum(['linkDown', 'linkUp', 'coldStart', 'warmStart']),
  deviceId: id,
  circuitId: id.nullable(),
  atMs: ms,
}) satisfies z.ZodType<TrapObservation>;

const count = z.number().int().nonnegative();
const heartbeat = z.strictObject({
  sentAtMs: ms,
  upSinceMs: ms,
  devices: count,
  circuits: count,
  queued: count,
  dropped: count,
  spooledPoints: count,
  localAlarms: z.boolean(),
}) satisfies z.ZodType<PollerHeartbeat>;

const pushed = z.strictObject({ alarmKey: z.string().min(1).max(200), startedAtMs: ms, atMs: ms }) satisfies z.ZodType<PushedByPoller>;

const envelope = z.discriminatedUnion('kind', [
  z.strictObject({ v: z.literal(OBSERVATION_VERSION), poller: z.string().regex(POLLER_NAME), kind: z.literal('circuit'), circuit: circuitLive }),
  z.strictObject({ v: z.literal(OBSERVATION_VERSION), poller: z.string().regex(POLLER_NAME), kind: z.literal('device'), device: deviceLive }),
  z.strictObject({ v: z.literal(OBSERVATION_VERSION), poller: z.string().regex(POLLER_NAME), kind: z.literal('quality'), quality: qualityLive }),
  z.strictObject({ v: z.literal(OBSERVATION_VERSION), poller: z.string().regex(POLLER_NAME), kind: z.literal('trap'), trap }),
  z.strictObject({ v: z.literal(OBSERVATION_VERSION), poller: z.string().regex(POLLER_NAME), kind: z.literal('heartbeat'), heartbeat }),
  z.strictObject({ v: z.literal(OBSERVATION_VERSION), poller: z.string().regex(POLLER_NAME), kind: z.literal('pushed'), pushed }),
]);

/** What a poller sends: a change of its live state, a trap, its heartbeat, or word of a push it made. */
export type Outgoing =
  | LiveEvent
  | { kind: 'trap'; trap: TrapObservation }
  | { kind: 'heartbeat'; heartbeat: PollerHeartbeat }
  | { kind: 'pushed'; pushed: PushedByPoller };

export type ObservationMessage = z.output<typeof envelope>;

export function encodeObservation(poller: string, e: Outgoing): ObservationMessage {
  return { v: OBSERVATION_VERSION, poller, ...e } as ObservationMessage;
}

/** The live event a message carries; null for a trap, a heartbeat or word of a push. */
export function liveEventOf(m: ObservationMessage): LiveEvent | null {
  if (m.kind === 'circuit') return { kind: 'circuit', circuit: m.circuit };
  if (m.kind === 'device') return { kind: 'device', device: m.device };
  if (m.kind === 'quality') return { kind: 'quality', quality: m.quality };
  return null;
}

/** When what a message says was observed, on the poller's clock. */
export function observedAtMs(m: ObservationMessage): number {
  if (m.kind === 'circuit') return m.circuit.updatedAtMs;
  if (m.kind === 'device') return m.device.updatedAtMs;
  if (m.kind === 'quality') return m.quality.endedAtMs;
  if (m.kind === 'pushed') return m.pushed.atMs;
  if (m.kind === 'trap') return m.trap.atMs;
  return m.heartbeat.sentAtMs;
}

/** The message, or why it is refused. */
export function decodeObservation(data: Uint8Array): { ok: true; message: ObservationMessage } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (err) {
    return { ok: false, error: `not JSON in UTF-8: ${(err as Error).message}` };
  }
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ok: false, error: `${first.path.join('.') || '(message)'}: ${first.message}` };
  }
  return { ok: true, message: parsed.data };
}
