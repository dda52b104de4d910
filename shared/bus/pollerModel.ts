/**
 * What the centre gives a city poller: the province's topology.yaml, the
 * sites of its share, and the settings that decide what it polls and when
 * an alarm is one (the centre's collector and alarm rules). A poller keeps
 * no topology or share of its own, so no city runs a diverging copy; its
 * nms.yaml holds only what is the city's (its bus, InfluxDB, secrets and
 * push channels). Asked for over core NATS, which crosses the poller's
 * leaf node like the centre's beacon does; gzip, because a province's
 * topology is larger than NATS's default 1 MB payload would like.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { AlarmsConfig, NmsConfig } from '../config/config.ts';
import { POLLER_NAME } from './observationMessages.ts';

export const modelSubject = (poller: string) => `nms.model.${poller}`;
const MODEL_VERSION = 1;

export interface PollerModel {
  poller: string;
  /** Changes whenever anything below does; a poller running another restarts on the centre's. */
  revision: string;
  topology: { source: string; yaml: string };
  sites: string[];
  collector: NmsConfig['collector'];
  alarms: Pick<AlarmsConfig, 'upstreamWaitSeconds' | 'clearAfterSeconds' | 'quality' | 'maintenance'>;
}

const seconds = z.number().finite().positive().nullable();
const modelSchema = z.strictObject({
  v: z.literal(MODEL_VERSION),
  poller: z.string().regex(POLLER_NAME),
  revision: z.string().regex(/^[0-9a-f]{16}$/),
  topology: z.strictObject({
    source: z.string().min(1).max(500),
    yaml: z
      .string()
      .min(1)
      .max(64 * 1024 * 1024),
  }),
  sites: z.array(z.string().min(1).max(64)).min(1),
  collector: z.strictObject({ intervalSeconds: seconds, maxInFlight: z.number().int().positive(), probeIntervalSeconds: seconds }),
  alarms: z.strictObject({
    upstreamWaitSeconds: seconds,
    clearAfterSeconds: seconds,
    quality: z.strictObject({ windowSeconds: seconds, sustainSeconds: seconds, clearAfterSeconds: seconds }),
    maintenance: z.array(
      z.strictObject({ subjects: z.array(z.string().min(1)).min(1), fromMs: z.number().finite(), toMs: z.number().finite(), reason: z.string().max(500) }),
    ),
  }),
}) satisfies z.ZodType<PollerModel & { v: number }>;

/** The model of one poller's share, as the centre's config and topology text have it. */
export function pollerModelOf(config: NmsConfig, topology: { source: string; yaml: string }, poller: string, sites: string[]): PollerModel {
  const { upstreamWaitSeconds, clearAfterSeconds, quality, maintenance } = config.alarms;
  const body = { poller, topology, sites, collector: config.collector, alarms: { upstreamWaitSeconds, clearAfterSeconds, quality, maintenance } };
  return { ...body, revision: createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16) };
}

export function encodePollerModel(m: PollerModel): Uint8Array {
  return gzipSync(JSON.stringify({ v: MODEL_VERSION, ...m }));
}

/** The model, or why it cannot be used (the centre's reply is input like any other). */
export function decodePollerModel(data: Uint8Array): { ok: true; model: PollerModel } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(data).toString('utf8'));
  } catch (err) {
    return { ok: false, error: `not gzip'd JSON: ${(err as Error).message}` };
  }
  if (typeof raw === 'object' && raw !== null && typeof (raw as { error?: unknown }).error === 'string')
    return { ok: false, error: `the centre says: ${(raw as { error: string }).error}` };
  const parsed = modelSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ok: false, error: `${first.path.join('.') || '(model)'}: ${first.message}` };
  }
  const { v: _v, ...model } = parsed.data;
  return { ok: true, model };
}

/** The centre's refusal, in the same wire form. */
export function encodeModelRefusal(error: string): Uint8Array {
  return gzipSync(JSON.stringify({ error }));
}
