/**
 * A simulated device's UDP echo service (RFC 862) on loopback: it sends back
 * what it receives, after the round-trip delay that the path from the centre
 * has now, and loses what that path loses. A device that cannot be reached
 * (cut off, silent, rebooting) answers nothing. Delays are real time at any
 * simulator speed: they are what the prober's clock measures.
 */
import dgram from 'node:dgram';
import type { DeviceState, SimNetwork } from '../network/simNetwork.ts';
import { echoDelayMs } from '../network/pathQuality.ts';

export interface EchoResponderOptions {
  network: SimNetwork;
  device: DeviceState;
  now: () => number;
  /** 0 for a free port. */
  port?: number;
  random?: () => number;
}

export class EchoResponder {
  answered = 0;
  dropped = 0;
  readonly #pending = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
  ) {}

  /** @throws Error naming the device when the port cannot be bound. */
  static async start(o: EchoResponderOptions): Promise<EchoResponder> {
    const socket = dgram.createSocket('udp4');
    const random = o.random ?? Math.random;
    const port = await new Promise<number>((resolve, reject) => {
      socket.once('error', (err) => reject(new Error(`device ${o.device.device.id}: echo port 127.0.0.1:${o.port ?? 0}: ${err.message}`)));
      socket.bind(o.port ?? 0, '127.0.0.1', () => resolve(socket.address().port));
    });
    const responder = new EchoResponder(socket, port);
    socket.on('error', () => undefined);
    socket.on('message', (msg, rinfo) => {
      o.network.advance(o.now());
      const q = o.network.pathQuality(o.device);
      if (!q || random() * 100 < q.lossPct) {
        responder.dropped++;
        return;
      }
      // A timer counts from the event loop's cached clock, which is behind when the loop is busy:
      // it can fire early. The answer waits for the path's whole delay, never less: a real line is
      // never early, and the prober's figures are checked against this delay.
      const due = performance.now() + echoDelayMs(q, random());
      const answer = () => {
        responder.#pending.delete(timer);
        const left = due - performance.now();
        if (left > 0) {
          timer = setTimeout(answer, Math.ceil(left));
          responder.#pending.add(timer);
          return;
        }
        responder.answered++;
        socket.send(msg, rinfo.port, rinfo.address, () => undefined);
      };
      let timer = setTimeout(answer, due - performance.now());
      responder.#pending.add(timer);
    });
    return responder;
  }

  close(): Promise<void> {
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
