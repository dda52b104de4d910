/**
 * The simulated devices' UDP echo service (RFC 862) on loopback: each device
 * sends back what it receives, after the round-trip delay that the path from
 * the centre has now, and loses what that path loses. A device that cannot
 * be reached (cut off, silent, rebooting) answers nothing. Delays are real
 * time at any simulator speed: they are what the prober's clock measures.
 *
 * The echoes are answered on a thread of their own (echoWorker). On the
 * simulator's thread, busy with SNMP agents and traffic, an answer would be
 * late by however long that loop was held up, and the prober would measure
 * the machine instead of the line. This side sends the thread every device's
 * path as it changes, a few times a second.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../shared/thread/tsWorker.ts';
import type { DeviceState, SimNetwork } from '../network/simNetwork.ts';
import type { LinkQuality } from '../network/pathQuality.ts';

export type EchoWorkerRequest = { kind: 'bind'; deviceIds: string[] } | { kind: 'paths'; paths: Array<[string, LinkQuality | null]> };
export type EchoWorkerReply = { kind: 'bound'; ports: Record<string, number> } | { kind: 'error'; message: string };

export interface EchoRespondersOptions {
  network: SimNetwork;
  devices: readonly DeviceState[];
  now: () => number;
  /** Told once if the thread fails after it started: the devices then answer no echo. */
  onFailure: (message: string) => void;
}

/** How often the thread is told the paths: a fault or a link down shows in the echoes within this. */
const PATHS_EVERY_MS = 100;

export class EchoResponders {
  readonly #timer: NodeJS.Timeout;

  private constructor(
    private readonly worker: Worker,
    private readonly ports: ReadonlyMap<string, number>,
    o: EchoRespondersOptions,
  ) {
    const send = () => {
      o.network.advance(o.now());
      const paths = o.devices.map((d): [string, LinkQuality | null] => [d.device.id, o.network.pathQuality(d)]);
      worker.postMessage({ kind: 'paths', paths } satisfies EchoWorkerRequest);
    };
    send();
    this.#timer = setInterval(send, PATHS_EVERY_MS);
    this.#timer.unref();
  }

  /** @throws Error naming the device when a port cannot be bound. */
  static async start(o: EchoRespondersOptions): Promise<EchoResponders> {
    const worker = startTsWorker(new URL('./echoWorker.ts', import.meta.url));
    try {
      const reply = await new Promise<EchoWorkerReply>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', (err) => reject(new Error(`echo service thread: ${err.message}`)));
        worker.once('exit', (code) => reject(new Error(`echo service thread ended with code ${code}`)));
        worker.postMessage({ kind: 'bind', deviceIds: o.devices.map((d) => d.device.id) } satisfies EchoWorkerRequest);
      });
      if (reply.kind === 'error') throw new Error(reply.message);
      worker.removeAllListeners();
      worker.once('error', (err) => o.onFailure(`echo service thread: ${err.message}`));
      return new EchoResponders(worker, new Map(Object.entries(reply.ports)), o);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /** Where the device answers echoes. */
  portOf(deviceId: string): number {
    const port = this.ports.get(deviceId);
    if (port === undefined) throw new Error(`device ${deviceId}: no echo service`);
    return port;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.worker.terminate();
  }
}
