/**
 * Live status for browsers: changes, not snapshots. Updates from the pollers
 * are gathered for `flushMs` and sent as one numbered batch holding only the
 * circuits and devices whose state changed (status, rates rounded to what a
 * screen shows). The last batches are kept, so a browser that reconnects asks
 * for what it missed since its last number, or gets a full snapshot if that
 * is too old.
 *
 * Between batches a heartbeat says how old the newest poll result is, so a
 * screen can tell "nothing changed" from "nothing is arriving" and say its
 * data is stale rather than keep showing the last green.
 */
import type { CircuitLive, DeviceLive, LiveFreshness, LiveHeartbeat, LiveState } from '../../shared/live/liveState.ts';

export interface LiveBatch {
  type: 'status';
  seq: number;
  circuits: CircuitLive[];
  devices: DeviceLive[];
}

export interface LiveFeedOptions {
  pollIntervalMs: number;
  flushMs?: number;
  keep?: number;
  heartbeatMs?: number;
  now?: () => number;
}

/** What a screen would show: a change below this is not worth a message. */
const circuitKey = (c: CircuitLive) =>
  `${c.status}|${c.inUtilPct === null ? '' : c.inUtilPct.toFixed(1)}|${c.outUtilPct === null ? '' : c.outUtilPct.toFixed(1)}|${c.note ?? ''}`;
const deviceKey = (d: DeviceLive) => `${d.reachable}|${d.cpuPct === null ? '' : Math.round(d.cpuPct)}|${d.memPct === null ? '' : Math.round(d.memPct)}`;

export class LiveFeed {
  #seq = 0;
  readonly #sent = new Map<string, string>();
  readonly #pendingCircuits = new Map<string, CircuitLive>();
  readonly #pendingDevices = new Map<string, DeviceLive>();
  readonly #history: LiveBatch[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #unsubscribe: () => void;

  readonly #heartbeat: NodeJS.Timeout;
  #lastUpdateMs: number | null = null;
  readonly #flushMs: number;
  readonly #keep: number;
  readonly #now: () => number;

  constructor(
    live: LiveState,
    private readonly send: (message: LiveBatch | LiveHeartbeat) => void,
    private readonly o: LiveFeedOptions,
  ) {
    this.#flushMs = o.flushMs ?? 250;
    this.#keep = o.keep ?? 240;
    this.#now = o.now ?? Date.now;
    for (const c of live.circuits.values()) this.#sent.set(`c:${c.circuitId}`, circuitKey(c));
    for (const d of live.devices.values()) this.#sent.set(`d:${d.deviceId}`, deviceKey(d));
    this.#heartbeat = setInterval(() => this.send({ type: 'heartbeat', seq: this.#seq, atMs: this.#now(), ...this.freshness() }), o.heartbeatMs ?? 5000);
    this.#heartbeat.unref();
    this.#unsubscribe = live.subscribe((e) => {
      this.#lastUpdateMs = this.#now();
      if (e.kind === 'circuit') {
        if (this.#sent.get(`c:${e.circuit.circuitId}`) === circuitKey(e.circuit)) return;
        this.#pendingCircuits.set(e.circuit.circuitId, e.circuit);
      } else if (e.kind === 'device') {
        if (this.#sent.get(`d:${e.device.deviceId}`) === deviceKey(e.device)) return;
        this.#pendingDevices.set(e.device.deviceId, e.device);
      } else return; // quality reaches screens through its alarms and the circuit's own charts
      this.#timer ??= setTimeout(() => this.flush(), this.#flushMs);
    });
  }

  get seq(): number {
    return this.#seq;
  }

  freshness(): LiveFreshness {
    return { lastUpdateMs: this.#lastUpdateMs, pollIntervalMs: this.o.pollIntervalMs };
  }

  /** The batches after `since`, or null when they are no longer kept (send a snapshot instead). */
  since(since: number): LiveBatch[] | null {
    if (since === this.#seq) return [];
    const first = this.#history[0];
    if (since > this.#seq || !first || since < first.seq - 1) return null;
    return this.#history.filter((b) => b.seq > since);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pendingCircuits.size === 0 && this.#pendingDevices.size === 0) return;
    const batch: LiveBatch = { type: 'status', seq: ++this.#seq, circuits: [...this.#pendingCircuits.values()], devices: [...this.#pendingDevices.values()] };
    this.#pendingCircuits.clear();
    this.#pendingDevices.clear();
    for (const c of batch.circuits) this.#sent.set(`c:${c.circuitId}`, circuitKey(c));
    for (const d of batch.devices) this.#sent.set(`d:${d.deviceId}`, deviceKey(d));
    this.#history.push(batch);
    if (this.#history.length > this.#keep) this.#history.shift();
    this.send(batch);
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
  }
}
