/**
 * One round of UDP echo (RFC 862) to many targets: the demo's method, since
 * the simulated devices all live on loopback and answer ICMP as one host.
 * Each datagram carries the round, the target and its sequence number, so a
 * late, stray or duplicated answer is told apart; only an answer from the
 * address and port it was sent to counts. Targets are spread over each
 * period rather than sent in one burst, as fping does. An echo in flight
 * while this thread was held up is left out of the round (stallWatch). The
 * product runs rounds on a thread of their own (udpEchoThread).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeRoundResult, ProbeRoundSpec, TargetEchoes } from './fpingProbe.ts';
import { watchStalls } from './stallWatch.ts';

export interface EchoTarget {
  host: string;
  port: number;
}

const MAGIC = 0x4e4d5351; // "NMSQ"
/**
 * An echo that the thread was held up for longer than this is left out:
 * what it measured was the machine. On a thread that does nothing else the
 * holds are the scheduler's slices on a busy machine; a bound of 2 ms left
 * out 40% of the echoes beside three busy processes on two cores, and 5 ms
 * leaves out 20% while the slowest echo kept is within 7 ms of the truth
 * (median within about 1 ms, idle or loaded). Those few slow echoes add well
 * under a millisecond to a round's jitter, against limits of 5 ms or more.
 */
export const HELD_MAX_MS = 5;
let nextRound = 1;

export const echoTargetKey = (t: EchoTarget) => (isIPv6(t.host) ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);

/**
 * @param spec targets as "host:port" keys from echoTargetKey.
 * @throws Error when no socket can be opened.
 */
export async function udpEchoRound(spec: ProbeRoundSpec, endpoints: ReadonlyMap<string, EchoTarget>, signal: AbortSignal): Promise<ProbeRoundResult> {
  const round = nextRound++ >>> 0;
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const results = new Map<string, TargetEchoes>(
    spec.targets.map((t) => [t, { rtts: new Array(spec.count).fill(null), duplicates: 0, errors: [], unmeasured: 0 }]),
  );
  const sentAt: Float64Array[] = spec.targets.map(() => new Float64Array(spec.count).fill(-1));
  const sockets = new Map<'udp4' | 'udp6', Socket>();

  const onMessage = (msg: Buffer, rinfo: { address: string; port: number }) => {
    const at = performance.now();
    if (msg.length < 16 || msg.readUInt32BE(0) !== MAGIC || msg.readUInt32BE(4) !== round) return;
    const i = msg.readUInt32BE(8);
    const seq = msg.readUInt32BE(12);
    const key = spec.targets[i];
    const target = key === undefined ? undefined : endpoints.get(key);
    if (!target || seq >= spec.count || rinfo.port !== target.port || rinfo.address !== target.host) return;
    const sent = sentAt[i]![seq]!;
    if (sent < 0 || at - sent > spec.timeoutMs) return;
    const r = results.get(key!)!;
    if (r.rtts[seq] !== null) r.duplicates++;
    else r.rtts[seq] = at - sent;
  };
  const socketFor = (family: 'udp4' | 'udp6'): Socket => {
    let s = sockets.get(family);
    if (!s) {
      s = createSocket(family);
      s.on('message', onMessage);
      s.on('error', () => undefined); // an ICMP port unreachable surfaces here; the packet simply counts as lost
      sockets.set(family, s);
    }
    return s;
  };

  // Every send, in time order: target i of n goes i/n of a period after the period starts.
  const n = spec.targets.length;
  const sends: Array<{ at: number; i: number; seq: number }> = [];
  for (let seq = 0; seq < spec.count; seq++) for (let i = 0; i < n; i++) sends.push({ at: seq * spec.periodMs + (i / Math.max(1, n)) * spec.periodMs, i, seq });
  const stalls = watchStalls();
  await new Promise<void>((resolve) => {
    let next = 0;
    let timer: NodeJS.Timeout | null = null;
    const finish = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    signal.addEventListener('abort', finish, { once: true });
    const pump = () => {
      if (signal.aborted) return;
      const elapsed = performance.now() - t0;
      for (; next < sends.length && sends[next]!.at <= elapsed; next++) {
        const { i, seq } = sends[next]!;
        const target = endpoints.get(spec.targets[i]!);
        if (!target) continue;
        const payload = Buffer.alloc(16);
        payload.writeUInt32BE(MAGIC, 0);
        payload.writeUInt32BE(round, 4);
        payload.writeUInt32BE(i, 8);
        payload.writeUInt32BE(seq, 12);
        sentAt[i]![seq] = performance.now();
        socketFor(isIPv6(target.host) ? 'udp6' : 'udp4').send(payload, target.port, target.host, (err) => {
          if (err) results.get(spec.targets[i]!)!.errors.push(`sending: ${err.message}`);
        });
      }
      timer = next < sends.length ? setTimeout(pump, Math.max(1, sends[next]!.at - (performance.now() - t0))) : setTimeout(finish, spec.timeoutMs);
    };
    pump();
  });
  const holds = stalls.stop();
  for (const s of sockets.values()) s.close();
  if (signal.aborted) throw new Error('stopped');
  spec.targets.forEach((key, i) => {
    const r = results.get(key)!;
    r.errors.splice(3);
    if (!holds.any) return;
    const kept = r.rtts.filter((rtt, seq) => {
      const sent = sentAt[i]![seq]!;
      if (sent < 0) return true;
      // A lost echo is weighed at the end of the wait for it: an answer then handled late was counted lost.
      const held = holds.heldAfter(sent) + (rtt === null ? holds.heldAfter(sent + spec.timeoutMs) : holds.heldBefore(sent + rtt));
      return held <= HELD_MAX_MS;
    });
    r.unmeasured = r.rtts.length - kept.length;
    r.rtts = kept;
  });
  return { targets: results, startedAtMs, endedAtMs: Date.now(), notes: [] };
}
