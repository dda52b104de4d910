/**
 * A few real UDP sockets shared by thousands of SNMP sessions. net-snmp gives
 * each Session its own socket, and 2,500 agents would need 2,500 file
 * descriptors (the collector must run under `ulimit -n 1024`). This module
 * stands in for node:dgram (net-snmp's `dgramModule` option): each session gets
 * a virtual socket, and replies are routed back by the agent's address and
 * port, since a session talks to exactly one agent. When several sessions
 * share an agent (devices behind one address), each gets every reply from it
 * and keeps the ones whose request ID it holds, as net-snmp already does.
 *
 * The poller's own SNMPv1/v2c GETs (see communityGetCodec) bypass net-snmp:
 * exchange() sends one, with its own timeout and retries, and a reply whose
 * request-id it is waiting for goes straight back to it.
 *
 * It is also the one place packets leave the collector, so it enforces the
 * target allow-list: a send to a target the policy refuses fails at once.
 *
 * Sockets are made per address family on first use. Outside production they
 * are bound to loopback (127.0.0.1, ::1), so a packet cannot leave the host
 * even if the policy had a hole; in production to the wildcard address,
 * since a socket bound to 127.0.0.1 cannot send to a router at all (EINVAL).
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import { formatHostPort } from '../../shared/net/managementAddress.ts';
import { MAX_REQUEST_ID, MIN_REQUEST_ID, peekRequestId } from './communityGetCodec.ts';

export type TargetCheck = (host: string, port: number) => string | null;

/** No reply after every try. */
export class RequestTimeout extends Error {
  constructor(readonly tries: number) {
    super(`no reply after ${tries} ${tries === 1 ? 'try' : 'tries'}`);
    this.name = 'RequestTimeout';
  }
}

/** The kernel would not send the datagram (no route, a socket that cannot reach the target, …). */
export class SendFailed extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'SendFailed';
  }
}

/** The allow-list refused the target; nothing was sent. */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

export interface ExchangeOptions {
  timeoutMs: number;
  retries: number;
}

interface Exchange {
  host: string;
  port: number;
  message: Buffer;
  tries: number;
  triesLeft: number;
  timeoutMs: number;
  timer: NodeJS.Timeout | null;
  resolve(reply: Buffer): void;
  reject(error: Error): void;
}

class VirtualSocket extends EventEmitter {
  #key: string | null = null;
  #closed = false;

  constructor(private readonly mux: UdpMux) {
    super();
  }

  send(buffer: Buffer, offset: number, length: number, port: number, host: string, callback?: (error: Error | null, bytes?: number) => void): void {
    if (this.#closed) {
      callback?.(new Error('socket is closed'));
      return;
    }
    const refusal = this.mux.check(host, port);
    if (refusal) {
      callback?.(new TargetRefused(refusal));
      return;
    }
    const key = `${host}|${port}`;
    if (this.#key !== key) {
      if (this.#key) this.mux.unroute(this.#key, this);
      this.#key = key;
      this.mux.route(key, this);
    }
    this.mux.socketFor(host, key).send(buffer, offset, length, port, host, callback);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#key) this.mux.unroute(this.#key, this);
    setImmediate(() => this.emit('close'));
  }

  // net-snmp keeps the event loop alive only while requests are outstanding; the mux handles that.
  ref(): this {
    this.mux.ref();
    return this;
  }

  unref(): this {
    this.mux.unref();
    return this;
  }

  bind(): this {
    throw new Error('a multiplexed SNMP socket has no source address of its own');
  }
}

type Family = 'udp4' | 'udp6';

export interface UdpMuxOptions {
  /** Real sockets per address family. */
  socketCount?: number;
  /** Bind to the wildcard address (production) rather than loopback. */
  anyAddress?: boolean;
}

export class UdpMux {
  readonly #sockets: Record<Family, dgram.Socket[]> = { udp4: [], udp6: [] };
  #closed = false;
  readonly #socketCount: number;
  readonly #anyAddress: boolean;
  readonly #routes = new Map<string, Set<VirtualSocket>>();
  readonly #exchanges = new Map<number, Exchange>();
  #nextId = MIN_REQUEST_ID + Math.floor(Math.random() * (MAX_REQUEST_ID - MIN_REQUEST_ID));
  #refs = 0;
  /** Datagrams that arrived for no session (late replies after a timeout, strays). */
  strays = 0;

  constructor(
    /** Asked before every send; a reload replaces it (setCheck). */
    public check: TargetCheck,
    options: UdpMuxOptions = {},
  ) {
    this.#socketCount = options.socketCount ?? 4;
    this.#anyAddress = options.anyAddress ?? false;
  }

  /** The address this mux's sockets of a family are bound to. */
  bindAddress(family: Family): string {
    if (family === 'udp6') return this.#anyAddress ? '::' : '::1';
    return this.#anyAddress ? '0.0.0.0' : '127.0.0.1';
  }

  #open(family: Family): dgram.Socket[] {
    const sockets = this.#sockets[family];
    if (sockets.length > 0 || this.#closed) return sockets;
    for (let i = 0; i < this.#socketCount; i++) {
      const s = dgram.createSocket({ type: family, ipv6Only: family === 'udp6' });
      s.on('message', (msg, rinfo) => {
        const id = peekRequestId(msg);
        const exchange = id < 0 ? undefined : this.#exchanges.get(id);
        if (exchange && exchange.host === rinfo.address && exchange.port === rinfo.port) {
          this.#exchanges.delete(id);
          clearTimeout(exchange.timer!);
          exchange.resolve(msg);
          return;
        }
        const targets = this.#routes.get(`${rinfo.address}|${rinfo.port}`);
        if (targets?.size) for (const t of targets) t.emit('message', msg, rinfo);
        else this.strays++;
      });
      // A send error (e.g. ICMP port unreachable surfacing) must not kill the collector;
      // sends report their own errors through their callbacks.
      s.on('error', () => undefined);
      s.bind(0, this.bindAddress(family));
      if (this.#refs === 0) s.unref();
      sockets.push(s);
    }
    return sockets;
  }

  /**
   * Sends an SNMPv1/v2c request, writing a fresh request-id (4 bytes,
   * big-endian) at idOffset, and resolves with the reply carrying that id from
   * that agent. The template is copied, so one can serve many requests.
   * @throws TargetRefused, RequestTimeout
   */
  exchange(host: string, port: number, template: Buffer, idOffset: number, options: ExchangeOptions): Promise<{ reply: Buffer; requestId: number }> {
    const refusal = this.check(host, port);
    if (refusal) return Promise.reject(new TargetRefused(refusal));
    if (this.#closed) return Promise.reject(new Error('the collector is stopping'));
    const requestId = this.#nextId;
    this.#nextId = requestId >= MAX_REQUEST_ID ? MIN_REQUEST_ID : requestId + 1;
    const message = Buffer.from(template);
    message.writeUInt32BE(requestId, idOffset);
    return new Promise((resolve, reject) => {
      const exchange: Exchange = {
        host,
        port,
        message,
        tries: options.retries + 1,
        triesLeft: options.retries + 1,
        timeoutMs: options.timeoutMs,
        timer: null,
        resolve: (reply) => resolve({ reply, requestId }),
        reject,
      };
      this.#exchanges.set(requestId, exchange);
      this.#send(requestId, exchange);
    });
  }

  #send(requestId: number, exchange: Exchange): void {
    exchange.triesLeft--;
    const { host, port } = exchange;
    this.socketFor(host, `${host}|${port}`).send(exchange.message, port, host, (error) => {
      if (!error || this.#exchanges.get(requestId) !== exchange) return;
      // Retrying cannot help a datagram the kernel refuses to send: say why now, not after the timeout.
      this.#exchanges.delete(requestId);
      clearTimeout(exchange.timer!);
      const code = (error as NodeJS.ErrnoException).code ?? error.message;
      exchange.reject(new SendFailed(`send ${code} ${formatHostPort(host, port)} from ${this.bindAddress(isIPv6(host) ? 'udp6' : 'udp4')}`, { cause: error }));
    });
    exchange.timer = setTimeout(() => {
      if (exchange.triesLeft > 0) return this.#send(requestId, exchange);
      this.#exchanges.delete(requestId);
      exchange.reject(new RequestTimeout(exchange.tries));
    }, exchange.timeoutMs);
  }

  /** A dgram-compatible module for net-snmp's `dgramModule` option. */
  get dgramModule(): { createSocket(type: string): VirtualSocket } {
    return { createSocket: () => new VirtualSocket(this) };
  }

  /** The real socket for a target: of its address family, chosen by a hash of host and port. */
  socketFor(host: string, key: string): dgram.Socket {
    const sockets = this.#open(isIPv6(host) ? 'udp6' : 'udp4');
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    return sockets[Math.abs(h) % sockets.length]!;
  }

  route(key: string, socket: VirtualSocket): void {
    const set = this.#routes.get(key);
    if (set) set.add(socket);
    else this.#routes.set(key, new Set([socket]));
  }

  unroute(key: string, socket: VirtualSocket): void {
    const set = this.#routes.get(key);
    set?.delete(socket);
    if (set?.size === 0) this.#routes.delete(key);
  }

  #all(): dgram.Socket[] {
    return [...this.#sockets.udp4, ...this.#sockets.udp6];
  }

  ref(): void {
    if (this.#refs++ === 0) for (const s of this.#all()) s.ref();
  }

  unref(): void {
    if (this.#refs > 0 && --this.#refs === 0) for (const s of this.#all()) s.unref();
  }

  /** Closes the real sockets; closing again does nothing. */
  close(): void {
    for (const [id, exchange] of this.#exchanges) {
      this.#exchanges.delete(id);
      clearTimeout(exchange.timer!);
      exchange.reject(new Error('the collector is stopping'));
    }
    this.#closed = true;
    for (const s of [...this.#sockets.udp4.splice(0), ...this.#sockets.udp6.splice(0)]) s.close();
    this.#routes.clear();
  }
}
