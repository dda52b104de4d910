/**
 * The JetStream layout, defined once for pollers and centre alike: each
 * poller keeps its own stream (in its own leaf node's domain when it has
 * one, so it keeps filling while the uplink is down), and the centre's
 * stream sources every poller's, in order, resuming where it stopped when a
 * link comes back. The centre reads its stream with one durable consumer.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { PollerShare } from '../config/config.ts';
import { OBSERVATION_SUBJECT_PREFIX } from './observationMessages.ts';

export const CENTRE_STREAM = 'NMS_OBS';
export const CENTRE_CONSUMER = 'centre';
export const pollerStream = (poller: string) => `NMS_OBS_${poller}`;

/** What a poller's stream holds at most while the centre is away: weeks of a city's state changes. */
const POLLER_STREAM_MAX_BYTES = 1024 * 1024 * 1024;
/** A publish repeated within this is stored once (its id). */
const DUPLICATE_WINDOW_NS = 2 * 60 * 1e9;
/** How long the centre has to journal a batch before it is delivered again. */
const ACK_WAIT_NS = 30 * 1e9;

/** A connection that keeps trying, for as long as the product runs. @throws Error when no server answers at first. */
export async function connectBus(servers: readonly string[], name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: [...servers], name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  } catch (err) {
    throw new Error(`bus: no NATS server answers at ${servers.join(', ')}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * JetStream's API, once it answers: a cluster that has just started (or lost
 * a node) elects its meta leader first, and asks made before that time out.
 * @throws Error saying how long it waited.
 */
async function jetStreamReady(nc: NatsConnection, domain: string | null, waitMs = 60_000): Promise<JetStreamManager> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await jetstreamManager(nc, domain ? { domain } : {});
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`bus: JetStream${domain ? ` (domain ${domain})` : ''} did not answer within ${waitMs / 1000} s: ${(err as Error).message}`, {
          cause: err,
        });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** JetStream's "no suitable peers for placement": a cluster just started whose peers have not all reported in. */
const NO_PEERS_FOR_PLACEMENT = 10005;

/** @throws Error naming the stream, and for want of room JetStream's limit too. */
async function ensureStream(
  jsm: JetStreamManager,
  config: Parameters<JetStreamManager['streams']['add']>[0],
  where: string,
  peersWaitMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + peersWaitMs;
  try {
    for (;;) {
      try {
        try {
          await jsm.streams.info(config.name!);
          await jsm.streams.update(config.name!, config);
        } catch (err) {
          if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
          await jsm.streams.add(config);
        }
        return;
      } catch (err) {
        // A replicated stream needs its peers: on a cluster that has just started they come in within seconds.
        // The same code also says a peer has no room for it, which waiting does not mend.
        const forming = err instanceof JetStreamApiError && err.code === NO_PEERS_FOR_PLACEMENT && !/insufficient storage/i.test(err.message);
        if (!forming || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } catch (err) {
    const message = (err as Error).message;
    const room =
      /insufficient storage/i.test(message) && config.max_bytes
        ? ` (it is bounded at ${Math.round(config.max_bytes / 2 ** 20)} MiB, held in advance: give that JetStream a larger max_file_store)`
        : '';
    throw new Error(`bus: setting up stream ${config.name} in ${where}: ${message}${room}`, { cause: err });
  }
}

/** The poller's own stream, in its domain (its leaf node) when it has one. */
export async function ensurePollerStream(nc: NatsConnection, poller: string, domain: string | null): Promise<void> {
  const jsm = await jetStreamReady(nc, domain);
  await ensureStream(
    jsm,
    {
      name: pollerStream(poller),
      subjects: [`${OBSERVATION_SUBJECT_PREFIX}.${poller}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_bytes: POLLER_STREAM_MAX_BYTES,
      // Past the bound the oldest go: the newest state is what the centre needs most.
      discard: DiscardPolicy.Old,
      duplicate_window: DUPLICATE_WINDOW_NS,
    },
    domain ? `JetStream domain ${domain}` : 'its JetStream',
  );
}

/** The centre's stream over every poller's, and its durable consumer. */
export async function ensureCentreStream(nc: NatsConnection, pollers: readonly PollerShare[], replicas: number): Promise<void> {
  const jsm = await jetStreamReady(nc, null);
  await ensureStream(
    jsm,
    {
      name: CENTRE_STREAM,
      storage: StorageType.File,
      num_replicas: replicas,
      sources: pollers.map((p) => ({ name: pollerStream(p.name), ...(p.domain ? { external: { api: `$JS.${p.domain}.API` } } : {}) })),
    } as Parameters<JetStreamManager['streams']['add']>[0],
    "the centre's JetStream",
  );
  try {
    await jsm.consumers.info(CENTRE_STREAM, CENTRE_CONSUMER);
  } catch {
    await jsm.consumers.add(CENTRE_STREAM, { durable_name: CENTRE_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: ACK_WAIT_NS, max_ack_pending: 20_000 });
  }
}
