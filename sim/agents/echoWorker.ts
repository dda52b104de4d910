/**
 * The simulated devices' UDP echo service (echoResponders starts it): one
 * socket per device, answered on this thread, whose event loop does nothing
 * else, after the delay and with the loss of the device's path as last sent
 * by the simulator.
 */
import dgram from 'node:dgram';
import { parentPort } from 'node:worker_threads';
import type { LinkQuality } from '../network/pathQuality.ts';
import { echoDelayMs } from '../network/pathQuality.ts';
import type { EchoWorkerReply, EchoWorkerRequest } from './echoResponders.ts';

const port = parentPort!;
/** Device id → its path now; absent or null: the device answers nothing. */
let paths = new Map<string, LinkQuality | null>();

function answerEchoes(socket: dgram.Socket, deviceId: string): void {
  socket.on('message', (msg, rinfo) => {
    const q = paths.get(deviceId);
    if (!q || Math.random() * 100 < q.lossPct) return;
    // A timer can fire a little early (it counts from the loop's cached clock): the answer waits for
    // the path's whole delay, never less. A real line is never early, and the prober's figures are
    // checked against this delay.
    const due = performance.now() + echoDelayMs(q, Math.random());
    const answer = () => {
      const left = due - performance.now();
      if (left > 0) setTimeout(answer, Math.ceil(left));
      else socket.send(msg, rinfo.port, rinfo.address, () => undefined);
    };
    setTimeout(answer, due - performance.now());
  });
}

async function bind(deviceIds: readonly string[]): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const id of deviceIds) {
    const socket = dgram.createSocket('udp4');
    ports[id] = await new Promise<number>((resolve, reject) => {
      socket.once('error', (err) => reject(new Error(`device ${id}: echo port 127.0.0.1:0: ${err.message}`)));
      socket.bind(0, '127.0.0.1', () => resolve(socket.address().port));
    });
    socket.on('error', () => undefined);
    answerEchoes(socket, id);
  }
  return ports;
}

port.on('message', (m: EchoWorkerRequest) => {
  if (m.kind === 'paths') {
    paths = new Map(m.paths);
    return;
  }
  bind(m.deviceIds).then(
    (ports) => port.postMessage({ kind: 'bound', ports } satisfies EchoWorkerReply),
    (err: Error) => port.postMessage({ kind: 'error', message: err.message } satisfies EchoWorkerReply),
  );
});
