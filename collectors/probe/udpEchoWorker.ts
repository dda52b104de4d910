/**
 * The UDP echo prober's thread (udpEchoThread starts it): it runs the rounds
 * it is sent and answers each with its result. Nothing else runs on its event
 * loop, so an echo's answer is handled, and timed, as it arrives.
 */
import { parentPort } from 'node:worker_threads';
import { udpEchoRound } from './udpEchoProbe.ts';
import type { EchoThreadReply, EchoThreadRequest } from './udpEchoThread.ts';

const port = parentPort!;
const running = new Map<number, AbortController>();

port.on('message', (m: EchoThreadRequest) => {
  if (m.kind === 'abort') {
    running.get(m.id)?.abort();
    return;
  }
  const abort = new AbortController();
  running.set(m.id, abort);
  udpEchoRound(m.spec, new Map(m.endpoints), abort.signal).then(
    (result) => reply({ id: m.id, result }),
    (err: Error) => reply({ id: m.id, error: err.message }),
  );
  function reply(r: EchoThreadReply) {
    running.delete(m.id);
    port.postMessage(r);
  }
});
