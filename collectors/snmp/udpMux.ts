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
 * It is also the one place packets leave the collector, so it enforces the
 * target allow-list: a send to a target the policy refuses fails at once.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';

export type TargetCheck = (host: string, port: number) => string | null;

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
    for (const s of this.#sockets.splice(0)) s.close();
    this.#routes.clear();
  }
}
