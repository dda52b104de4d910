/**
 * A worker thread running one of the project's TypeScript modules. A worker
 * is for timing that the main thread's event loop cannot keep: the product's
 * loop is busy with polls, writes and the console, and anything timed on it
 * is late by however long it was held up.
 */
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = new URL('./tsWorkerBootstrap.mjs', import.meta.url);

/**
 * @param entry the worker's module, as `new URL('./x.ts', import.meta.url)`.
 * The worker does not keep the process alive: its owner ends it (terminate),
 * and refs it while it waits on it.
 */
export function startTsWorker(entry: URL): Worker {
  const worker = new Worker(BOOTSTRAP, { workerData: { entry: entry.href } });
  worker.unref();
  return worker;
}
