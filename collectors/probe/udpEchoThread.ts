/**
 * UDP echo rounds timed on a thread of their own, as fping times ICMP in a
 * process of its own. An echo is timed when its answer is handled: on the
 * product's main thread that is late by however long the loop was busy with
 * polls, writes and the console, and on a loaded machine that read as delay
 * and jitter the line did not have. The stall watch in the round still
 * leaves out echoes the thread itself was held up for (the scheduler's
 * slices on a busy machine), but those are few: the thread does nothing else.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../shared/thread/tsWorker.ts';
import type { ProbeRoundResult, ProbeRoundSpec } from './fpingProbe.ts';
import type { EchoTarget } from './udpEchoProbe.ts';

export type EchoThreadRequest = { kind: 'round'; id: number; spec: ProbeRoundSpec; endpoints: Array<[string, EchoTarget]> } | { kind: 'abort'; id: number };
export type EchoThreadReply = { id: number; result: ProbeRoundResult } | { id: number; error: string };

interface Waiting {
  resolve(r: ProbeRoundResult): void;
  reject(e: Error): void;
}

export class UdpEchoThread {
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #waiting = new Map<number, Waiting>();

  /**
   * One round, as udpEchoRound runs it, on the thread (started on first use,
   * and again after it failed).
   * @throws Error when the round fails or the thread does.
   */
  round(spec: ProbeRoundSpec, endpoints: ReadonlyMap<string, EchoTarget>, signal: AbortSignal): Promise<ProbeRoundResult> {
    if (signal.aborted) return Promise.reject(new Error('stopped'));
    const worker = this.worker();
    const id = this.#nextId++;
    return new Promise<ProbeRoundResult>((resolve, reject) => {
      const onAbort = () => worker.postMessage({ kind: 'abort', id } satisfies EchoThreadRequest);
      signal.addEventListener('abort', onAbort, { once: true });
      // A round waited on keeps the process alive, as a child process would; an idle thread does not.
      worker.ref();
      const settle = () => {
        signal.removeEventListener('abort', onAbort);
        if (this.#waiting.size === 0) worker.unref();
      };
      this.#waiting.set(id, {
        resolve: (r) => {
          settle();
          resolve(r);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      worker.postMessage({ kind: 'round', id, spec, endpoints: [...endpoints] } satisfies EchoThreadRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.failAll(new Error('stopped'));
    await worker?.terminate();
  }

  private worker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startTsWorker(new URL('./udpEchoWorker.ts', import.meta.url));
    worker.on('message', (r: EchoThreadReply) => {
      const w = this.#waiting.get(r.id);
      this.#waiting.delete(r.id);
      if ('error' in r) w?.reject(new Error(r.error));
      else w?.resolve(r.result);
    });
    const fail = (err: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.failAll(new Error(`UDP echo thread: ${err.message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`ended with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }
}
