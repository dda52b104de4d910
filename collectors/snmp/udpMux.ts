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
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { MAX_REQUEST_ID, MIN_REQUEST_ID, peekRequestId } from './communityGetCodec.ts';

export type TargetCheck = (host: string, port: number) => string | null;

/** No reply after every try. */
export class RequestTimeout extends Error {
  constructor(readonly tries: number) {
    super(`no reply after ${tries} ${tries === 1 ? 'try' : 'tries'}`);
    this.name = 'RequestTimeout';
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
      callback?.(new Error(refusal));
      return;
    }
    const key = `${host}|${port}`;
    if (this.#key !== key) {
      if (this.#key) this.mux.unroute(this.#key, this);
      this.#key = key;
      this.mux.route(key, this);
    }
    this.mux.socketFor(key).send(buffer, offset, length, port, host, callback);
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

export class UdpMux {
  readonly #sockets: dgram.Socket[] = [];
  readonly #routes = new Map<string, Set<VirtualSocket>>();
  readonly #exchanges = new Map<number, Exchange>();
  #nextId = MIN_REQUEST_ID + Math.floor(Math.random() * (MAX_REQUEST_ID - MIN_REQUEST_ID));
  #refs = 0;
  /** Datagrams that arrived for no session (late replies after a timeout, strays). */
  strays = 0;

  constructor(
    readonly check: TargetCheck,
    socketCount = 4,
  ) {
    for (let i = 0; i < socketCount; i++) {
      const s = dgram.createSocket('udp4');
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
      // A send error (e.g. ICMP port unreachable surfacing) must not kill the collector.
      s.on('error', () => undefined);
      s.bind(0, '127.0.0.1');
      s.unref();
      this.#sockets.push(s);
    }
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
    if (this.#sockets.length === 0) return Promise.reject(new Error('the collector is stopping'));
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
    this.socketFor(`${exchange.host}|${exchange.port}`).send(exchange.message, exchange.port, exchange.host);
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

  socketFor(key: string): dgram.Socket {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    return this.#sockets[Math.abs(h) % this.#sockets.length]!;
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

  ref(): void {
    if (this.#refs++ === 0) for (const s of this.#sockets) s.ref();
  }

  unref(): void {
    if (this.#refs > 0 && --this.#refs === 0) for (const s of this.#sockets) s.unref();
  }

  /** Closes the real sockets; closing again does nothing. */
  close(): void {
    for (const [id, exchange] of this.#exchanges) {
      this.#exchanges.delete(id);
      clearTimeout(exchange.timer!);
      exchange.reject(new Error('the collector is stopping'));
    }
    for (const s of this.#sockets.splice(0)) s.close();
    this.#routes.clear();
  }
}
