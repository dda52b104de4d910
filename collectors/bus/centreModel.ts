/**
 * A poller's model, from its centre. The last one received is kept on disk,
 * so a poller that starts while its uplink is down polls with the centre's
 * last word rather than not at all; it is the centre's copy, with the
 * centre's revision, never one edited in the city.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodePollerModel, encodePollerModel, modelSubject, type PollerModel } from '../../shared/bus/pollerModel.ts';
import type { Logger } from '../../shared/log.ts';

export const MODEL_CACHE_FILE = join('bus', 'centre-model.json.gz');
const ASK_TIMEOUT_MS = 5000;

export interface FetchedModel {
  model: PollerModel;
  /** The centre answered, or the centre's last answer was read from disk. */
  from: 'centre' | 'cache';
}

/**
 * Asks the centre; with no answer, the cached model if there is one, else
 * asks again until `waitMs` has passed.
 * @throws Error when the centre refuses (a poller it does not know), or
 * neither the centre nor the cache gives a model within `waitMs`.
 */
export async function fetchCentreModel(nc: NatsConnection, poller: string, dataDir: string, log: Logger, waitMs: number): Promise<FetchedModel> {
  const cacheFile = join(dataDir, MODEL_CACHE_FILE);
  const deadline = Date.now() + waitMs;
  let cached: PollerModel | null | undefined;
  for (let asked = 1; ; asked++) {
    const answer = await askCentre(nc, poller);
    if ('model' in answer) {
      await keep(cacheFile, answer.model);
      return { model: answer.model, from: 'centre' };
    }
    if (answer.refused) throw new Error(`bus: asking the centre for poller ${poller}'s model on ${modelSubject(poller)}: ${answer.refused}`);
    cached ??= await readCached(cacheFile, poller, log);
    if (cached) {
      log.warn(`bus: the centre did not answer for the model (${answer.error}); polling with its last one, revision ${cached.revision}, from ${cacheFile}`);
      return { model: cached, from: 'cache' };
    }
    if (Date.now() >= deadline)
      throw new Error(
        `bus: the centre did not answer on ${modelSubject(poller)} within ${Math.round(waitMs / 1000)} s (${answer.error}), and no model of it is kept in ${cacheFile}`,
      );
    if (asked % 6 === 1) log.warn(`bus: waiting for the centre to give poller ${poller} its model (${answer.error})`);
    await new Promise((r) => setTimeout(r, Math.min(ASK_TIMEOUT_MS, Math.max(0, deadline - Date.now()))));
  }
}

/** One ask: the model, a refusal to heed, or an error to retry. */
export async function askCentre(nc: NatsConnection, poller: string): Promise<{ model: PollerModel } | { refused?: string; error: string }> {
  let data: Uint8Array;
  try {
    data = (await nc.request(modelSubject(poller), '', { timeout: ASK_TIMEOUT_MS })).data;
  } catch (err) {
    return { error: (err as Error).message };
  }
  const decoded = decodePollerModel(data);
  if (!decoded.ok) return { refused: decoded.error, error: decoded.error };
  if (decoded.model.poller !== poller) return { refused: `the answer is poller ${decoded.model.poller}'s model`, error: 'wrong poller' };
  return { model: decoded.model };
}

async function keep(file: string, model: PollerModel): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Whole or not at all: a crash mid-write leaves the previous model.
  await writeFile(`${file}.tmp`, encodePollerModel(model));
  await rename(`${file}.tmp`, file);
}

async function readCached(file: string, poller: string, log: Logger): Promise<PollerModel | null> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return null;
  }
  const decoded = decodePollerModel(data);
  if (decoded.ok && decoded.model.poller === poller) return decoded.model;
  log.warn(`bus: ${file}: not a model of poller ${poller} (${decoded.ok ? decoded.model.poller : decoded.error}); ignoring it`);
  return null;
}
