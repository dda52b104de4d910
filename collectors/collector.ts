/**
 * The collection pipeline for one shard of the network: a poller per device,
 * the scheduler, the counter engine, the writer and the live state. A device
 * that cannot be polled (refused target, missing credentials, no answer) is
 * recorded with its reason and never stops the others.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../shared/log.ts';
import type { DeviceInventory } from '../shared/live/deviceInventory.ts';
import type { LiveState } from '../shared/live/liveState.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { Circuit, Device } from '../shared/model/types.ts';
import type { SnmpCredentials } from '../shared/snmp/credentials.ts';
import type { RateOutcome } from './engine/counterEngine.ts';
import { measure, type Baseline } from './engine/measure.ts';
import {
  DevicePoller,
  REAL_REFRESH_DETECTION,
  type DevicePoll,
  type InterfaceResult,
  type PolledInterfaceSpec,
  type RefreshDetection,
} from './poll/devicePoller.ts';
import { PollScheduler } from './scheduler/pollScheduler.ts';
import { DEFAULT_CLIENT_OPTIONS, NetSnmpClient, type ClientOptions, type SnmpClient } from './snmp/snmpClient.ts';
import { targetCheck, type Endpoint } from './snmp/targetPolicy.ts';
import { UdpMux } from './snmp/udpMux.ts';
import type { Point } from './write/lineProtocol.ts';

/** How long a device's inventory is served from memory before it is read again. */
const INVENTORY_TTL_MS = 30_000;

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Whether a device belongs to a shard: a stable hash of its id, so shards never overlap. */
export function inShard(deviceId: string, shard: Shard): boolean {
  let h = 2166136261;
  for (let i = 0; i < deviceId.length; i++) h = Math.imul(h ^ deviceId.charCodeAt(i), 16777619);
  return (h >>> 0) % shard.count === shard.index - 1;
}

export interface PointSink {
  write(points: readonly Point[]): void;
}

export interface CollectorOptions {
  topology: Topology;
  endpoints: ReadonlyMap<string, Endpoint>;
  /** Credentials per device, or the reason there are none. */
  credentials: (device: Device) => SnmpCredentials;
  production: boolean;
  sink: PointSink | null;
  live: LiveState;
  log: Logger;
  shard?: Shard;
  /** Poll only these devices (diagnosis). */
  devices?: readonly string[];
  /** Overrides every device's poll interval (diagnosis, tests). */
  intervalMs?: number;
  maxInFlight?: number;
  client?: ClientOptions;
  now?: () => number;
  /** How agents' counter refresh is found (off for simulators on a clock moved by hand). */
  refreshDetection?: RefreshDetection;
  /** Reads devices through these clients rather than over UDP (a simulated month; see inProcessClient.ts). */
  clientFor?: (deviceId: string) => SnmpClient;
}

/** What one interface yielded in one poll, for `nms poll --json` and tests. */
export interface InterfaceOutcome {
  deviceId: string;
  result: InterfaceResult;
  circuit: Circuit;
  /** Outcome against the previous reading; null on the first reading after a gap. */
  outcome: RateOutcome | null;
}

export interface CollectorStats {
  polls: number;
  pollsFailed: number;
  timeouts: number;
  requests: number;
  varbinds: number;
  samplesRejected: number;
  lastCycleMs: number;
}

export class Collector {
  readonly pollers = new Map<string, DevicePoller>();
  /** Devices this shard owns but cannot poll, with the reason. */
  readonly unpollable = new Map<string, string>();
  readonly stats: CollectorStats = { polls: 0, pollsFailed: 0, timeouts: 0, requests: 0, varbinds: 0, samplesRejected: 0, lastCycleMs: 0 };
  readonly #mux: UdpMux;
  /** Per device polled: its session, where it was polled, and what its poller was built from. */
  readonly #clientOf = new Map<string, SnmpClient>();
  readonly #endpointOf = new Map<string, Endpoint>();
  readonly #signatures = new Map<string, string>();
  /** The model each poller's results are measured with: an old poll still in flight during a reload keeps its own. */
  readonly #topologyOf = new WeakMap<DevicePoller, Topology>();
  readonly #inventories = new Map<string, { atMs: number; promise: Promise<DeviceInventory> }>();
  readonly #round = new Set<string>();
  #roundStartedMs: number;
  /**
   * The baseline of each polled interface: its last reading, and when
   * (collector clock) it was taken. A reading whose rate was impossible does
   * not replace it, so the next interval is wider and no byte is lost.
   */
  readonly #previous = new Map<string, Baseline>();
  /** Each device's last poll error, so a failure is logged when it starts and ends, not every cycle. */
  readonly #failing = new Map<string, string>();
  readonly #listeners = new Set<(poll: DevicePoll, outcomes: InterfaceOutcome[]) => void>();
  #scheduler: PollScheduler | null = null;
  readonly #now: () => number;

  constructor(private readonly o: CollectorOptions) {
    this.#now = o.now ?? Date.now;
    this.#roundStartedMs = this.#now();
    this.#mux = new UdpMux(targetCheck(o.topology, o.production), { anyAddress: o.production });
    const built = this.build(o.topology, o.endpoints, o.credentials);
    for (const [id, b] of built.pollers) this.adopt(id, b);
    for (const [id, reason] of built.unpollable) this.unpollable.set(id, reason);
    for (const reason of this.unpollable.values()) o.log.error(reason);
  }

  /**
   * Takes a new model while polling (`nms reload`). A device whose
   * definition, interfaces, address, credentials and interval are all as
   * before keeps its poller untouched; one that changed gets a new poller
   * that keeps its interfaces' baselines when it is still the same agent, so
   * its next poll yields a rate and no interval goes unmeasured; a device
   * that is gone stops once its poll in flight is in. Every kept device
   * keeps its turn in the schedule. The new model is polled from the moment
   * this returns; `settled` resolves once the old one's last polls are in
   * (they are measured with the model they began under).
   */
  reconcile(next: Pick<CollectorOptions, 'topology' | 'endpoints' | 'credentials'>): CollectorChange & { settled: Promise<void> } {
    const built = this.build(next.topology, next.endpoints, next.credentials);
    const change: CollectorChange = { added: [], removed: [], changed: [] };
    const retired: string[] = [];
    for (const id of this.pollers.keys()) {
      const b = built.pollers.get(id);
      if (!b) change.removed.push(id);
      else if (b.signature !== this.#signatures.get(id)) change.changed.push(id);
      else continue;
      retired.push(id);
    }
    for (const id of built.pollers.keys()) if (!this.pollers.has(id)) change.added.push(id);
    const changed = new Set(change.changed);
    // Polls of the old model still in flight may finish where they started; new ones only where the new model allows.
    const before = this.#mux.check;
    const after = targetCheck(next.topology, this.o.production);
    this.#mux.check = (host, port) => after(host, port) && before(host, port);
    const stale = retired.map((id) => ({ id, client: this.#clientOf.get(id)!, endpoint: this.#endpointOf.get(id)! }));
    for (const id of change.removed) {
      this.pollers.delete(id);
      this.#inventories.delete(id);
    }
    for (const [id, b] of built.pollers) {
      const kept = this.pollers.get(id);
      if (kept && !changed.has(id)) this.#topologyOf.set(kept, next.topology);
      else this.adopt(id, b);
    }
    this.unpollable.clear();
    for (const [id, reason] of built.unpollable) {
      this.unpollable.set(id, reason);
      this.o.log.error(reason);
    }
    const settled = (this.#scheduler?.setJobs(this.jobs()) ?? Promise.resolve()).then(() => {
      // Only now is no old poll of these devices in flight.
      this.#mux.check = after;
      for (const s of stale) {
        s.client.close();
        const now = this.#endpointOf.get(s.id);
        const sameAgent = this.pollers.has(s.id) && now!.host === s.endpoint.host && now!.port === s.endpoint.port;
        if (!sameAgent) for (const key of this.#previous.keys()) if (key.startsWith(`${s.id}\u0000`)) this.#previous.delete(key);
      }
      for (const id of change.removed) {
        if (this.pollers.has(id)) continue; // put back by a later reconcile meanwhile
        this.#clientOf.delete(id);
        this.#endpointOf.delete(id);
        this.#signatures.delete(id);
      }
      // Interfaces no longer polled leave no baseline behind, to be taken up stale if they come back.
      const polled = new Set([...this.pollers].flatMap(([id, p]) => p.specs.map((spec) => baselineKey(id, spec))));
      for (const key of this.#previous.keys()) if (!polled.has(key)) this.#previous.delete(key);
    });
    this.#round.clear();
    return { ...change, settled };
  }

  /** What polling the model takes, per device: its poller, or why it cannot be polled. */
  private build(topology: Topology, endpoints: ReadonlyMap<string, Endpoint>, credentialsOf: (d: Device) => SnmpCredentials) {
    const o = this.o;
    const check = targetCheck(topology, o.production);
    const pollers = new Map<string, BuiltPoller>();
    const unpollable = new Map<string, string>();
    for (const device of topology.devices) {
      if (!device.managed || (o.shard && !inShard(device.id, o.shard))) continue;
      if (o.devices && !o.devices.includes(device.id)) continue;
      const specs = specsFor(topology, device);
      if (specs.length === 0) continue;
      const endpoint = endpoints.get(device.id);
      const refusal = endpoint ? check(endpoint.host, endpoint.port) : 'no endpoint known for it';
      if (refusal) {
        unpollable.set(device.id, `device ${device.id}: ${refusal}`);
        continue;
      }
      let credentials: SnmpCredentials;
      try {
        credentials = credentialsOf(device);
      } catch (err) {
        unpollable.set(device.id, `device ${device.id}: ${(err as Error).message}`);
        continue;
      }
      const signature = pollerSignature(device, specs, endpoint!, credentials, this.intervalOf(device));
      const make = () => {
        const client =
          o.clientFor?.(device.id) ?? new NetSnmpClient(endpoint!.host, endpoint!.port, credentials, this.#mux, o.client ?? DEFAULT_CLIENT_OPTIONS);
        return { client, poller: new DevicePoller(device, specs, client, this.#now, o.refreshDetection ?? REAL_REFRESH_DETECTION) };
      };
      pollers.set(device.id, { make, signature, endpoint: endpoint!, topology });
    }
    return { pollers, unpollable };
  }

  private adopt(id: string, b: BuiltPoller): void {
    const { client, poller } = b.make();
    this.pollers.set(id, poller);
    this.#clientOf.set(id, client);
    this.#endpointOf.set(id, b.endpoint);
    this.#signatures.set(id, b.signature);
    this.#topologyOf.set(poller, b.topology);
    this.#inventories.delete(id);
  }

  private jobs() {
    return [...this.pollers.values()].map((p) => ({
      id: p.device.id,
      intervalMs: this.intervalOf(p.device),
      run: () => this.pollDevice(p.device.id).then(() => undefined),
    }));
  }

  /** Hears every poll with its outcomes (the CLI prints them). */
  onPoll(listener: (poll: DevicePoll, outcomes: InterfaceOutcome[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** How often a device is polled. */
  intervalOf(device: Device): number {
    return this.o.intervalMs ?? device.pollIntervalSeconds * 1000;
  }

  /** The shortest interval of any pollable device: how far apart fresh results at most are (60 s with none). */
  get shortestIntervalMs(): number {
    const intervals = [...this.pollers.values()].map((p) => this.intervalOf(p.device));
    return intervals.length ? Math.min(...intervals) : 60_000;
  }

  /** Starts polling every device on its interval. */
  start(): void {
    this.#scheduler = new PollScheduler(this.jobs(), this.o.maxInFlight ?? 64, this.#now);
    this.#scheduler.start();
  }

  /** Asks for a poll of the device ahead of its schedule (a trap wants confirming). */
  pollSoon(deviceId: string): void {
    this.#scheduler?.pollSoon(deviceId);
  }

  /**
   * Has the scheduler poll every device as soon as the in-flight cap allows,
   * and resolves with each device's error (null when it answered) once all
   * have been polled, or with what is known after `timeoutMs`; devices not
   * polled by then count as failed. For `nms up --check`.
   */
  pollEachOnce(timeoutMs: number): Promise<Map<string, string | null>> {
    const results = new Map<string, string | null>();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unlisten();
        for (const id of this.pollers.keys()) if (!results.has(id)) results.set(id, `device ${id}: not polled within ${timeoutMs / 1000} s`);
        resolve(results);
      };
      const unlisten = this.onPoll((poll) => {
        if (!results.has(poll.deviceId)) results.set(poll.deviceId, poll.error);
        if (results.size === this.pollers.size) done();
      });
      const timer = setTimeout(done, timeoutMs);
      if (this.pollers.size === 0) return done();
      for (const id of this.pollers.keys()) this.pollSoon(id);
    });
  }

  /** The circuit whose end is at this ifIndex, as the device's last resolution found it. */
  circuitAtIfIndex(deviceId: string, ifIndex: number): string | null {
    return this.pollers.get(deviceId)?.circuitAtIfIndex(ifIndex) ?? null;
  }

  /**
   * The device's interfaces and system strings, read at most once every
   * INVENTORY_TTL_MS whatever the number of people asking: the console must
   * not become a way to flood a router with walks.
   * @throws Error naming the device when it is not polled, or the SNMP failure.
   */
  inventory(deviceId: string): Promise<DeviceInventory> {
    const poller = this.pollers.get(deviceId);
    if (!poller) return Promise.reject(new Error(this.unpollable.get(deviceId) ?? `device ${deviceId} is not polled by this collector`));
    const cached = this.#inventories.get(deviceId);
    if (cached && this.#now() - cached.atMs < INVENTORY_TTL_MS) return cached.promise;
    const promise = poller.inventory();
    this.#inventories.set(deviceId, { atMs: this.#now(), promise });
    // A failure is not kept: the next request tries again.
    promise.catch(() => this.#inventories.delete(deviceId));
    return promise;
  }

  /** Polls one device now and processes the result. */
  async pollDevice(deviceId: string): Promise<{ poll: DevicePoll; outcomes: InterfaceOutcome[] }> {
    const poller = this.pollers.get(deviceId);
    if (!poller) throw new Error(this.unpollable.get(deviceId) ?? `device ${deviceId} is not polled by this collector`);
    const poll = await poller.poll();
    const outcomes = this.process(poller, poll);
    this.completeRound(deviceId);
    for (const l of this.#listeners) l(poll, outcomes);
    return { poll, outcomes };
  }

  /**
   * Polling on schedules has no cycles of its own: a round ends when every
   * device has been polled once since the last round ended, and its length
   * is the cycle time a NOC watches (it grows when the pollers fall behind).
   */
  private completeRound(deviceId: string): void {
    this.#round.add(deviceId);
    if (this.#round.size < this.pollers.size) return;
    const now = this.#now();
    this.stats.lastCycleMs = now - this.#roundStartedMs;
    this.#round.clear();
    this.#roundStartedMs = now;
  }

  /** Polls every device once, all at once up to the in-flight cap; returns the wall time taken. */
  async pollAll(): Promise<number> {
    const started = this.#now();
    const ids = [...this.pollers.keys()];
    const cap = this.o.maxInFlight ?? 64;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(cap, ids.length) }, async () => {
        while (next < ids.length) await this.pollDevice(ids[next++]!);
      }),
    );
    this.stats.lastCycleMs = this.#now() - started;
    return this.stats.lastCycleMs;
  }

  /** Stops polling and closes every session; stopping again does nothing. */
  async stop(): Promise<void> {
    await this.#scheduler?.stop();
    this.#scheduler = null;
    for (const c of this.#clientOf.values()) c.close();
    this.#clientOf.clear();
    this.#mux.close();
  }

  get schedulerStats() {
    return this.#scheduler?.stats ?? null;
  }

  /** The collector_stats point for the time since the last one (self-metrics). */
  statsPoint(atMs: number, spooledPoints: number): Point {
    const s = this.stats;
    const since = this.#lastStats;
    this.#lastStats = { ...s };
    const shard = this.o.shard ? `${this.o.shard.index}/${this.o.shard.count}` : '1/1';
    return {
      measurement: 'collector_stats',
      tags: { shard },
      fields: {
        devices_ok: s.polls - s.pollsFailed - (since.polls - since.pollsFailed),
        devices_failed: s.pollsFailed - since.pollsFailed,
        cycle_ms: s.lastCycleMs || null,
        samples_rejected: s.samplesRejected - since.samplesRejected,
        requests: s.requests - since.requests,
        timeouts: s.timeouts - since.timeouts,
        spooled_points: spooledPoints,
      },
      timeMs: atMs,
    };
  }

  #lastStats: CollectorStats = { polls: 0, pollsFailed: 0, timeouts: 0, requests: 0, varbinds: 0, samplesRejected: 0, lastCycleMs: 0 };

  private process(poller: DevicePoller, poll: DevicePoll): InterfaceOutcome[] {
    const device = poller.device;
    this.stats.polls++;
    this.stats.requests += poll.requests;
    this.stats.varbinds += poll.varbinds;
    if (!poll.reachable) this.stats.pollsFailed++;
    if (poll.errorKind === 'timeout') this.stats.timeouts++;
    this.logReachability(poll);
    // Points only when there is somewhere to write them (nms poll --no-store has none).
    const topology = this.#topologyOf.get(poller)!;
    const m = measure(topology, device, poll, (spec) => this.#previous.get(baselineKey(device.id, spec)), this.intervalOf(device), this.o.sink != null);
    this.o.live.updateDevice(m.device);
    for (const i of m.interfaces) {
      if (i.baseline) this.#previous.set(baselineKey(device.id, i.spec), i.baseline);
      else if (i.baseline === null) this.#previous.delete(baselineKey(device.id, i.spec));
      if (i.outcome && i.outcome.kind !== 'rate') {
        const where = `device ${device.id}: ${i.circuit.id} (${i.spec.ref.value})`;
        if (i.widening) this.o.log.info(`${where}: interval widened, baseline kept: ${i.outcome.reason}`);
        else {
          this.stats.samplesRejected++;
          this.o.log.warn(`${where}: sample dropped: ${i.outcome.reason}`);
        }
      }
    }
    for (const c of m.circuits) this.o.live.updateCircuit(c);
    this.o.sink?.write(m.points);
    return m.interfaces.map((i) => ({ deviceId: device.id, result: i.result, circuit: i.circuit, outcome: i.outcome }));
  }

  /** Logs a device's failure when it starts or its reason changes, and when it ends. */
  private logReachability(poll: DevicePoll): void {
    const was = this.#failing.get(poll.deviceId);
    if (poll.error && poll.error !== was) {
      this.#failing.set(poll.deviceId, poll.error);
      this.o.log.error(`${poll.error}`);
    } else if (!poll.error && was) {
      this.#failing.delete(poll.deviceId);
      this.o.log.info(`device ${poll.deviceId}: answering again`);
    }
  }
}

/** What a reconcile did, by device id. */
export interface CollectorChange {
  added: string[];
  removed: string[];
  changed: string[];
}

interface BuiltPoller {
  make(): { client: SnmpClient; poller: DevicePoller };
  signature: string;
  endpoint: Endpoint;
  topology: Topology;
}

function specsFor(topology: Topology, device: Device): PolledInterfaceSpec[] {
  const specs: PolledInterfaceSpec[] = [];
  for (const c of topology.circuitsOnDevice(device.id)) {
    for (const end of ['a', 'z'] as const) {
      const e = c[end];
      if (e.kind === 'device' && e.deviceId === device.id && e.iface) specs.push({ circuitId: c.id, end, ref: e.iface });
    }
  }
  return specs;
}

/** A baseline belongs to an interface of a circuit's end on a device, whichever poller object reads it. */
function baselineKey(deviceId: string, spec: PolledInterfaceSpec): string {
  return `${deviceId}\u0000${spec.circuitId}\u0000${spec.end}\u0000${spec.ref.by}\u0000${spec.ref.value}`;
}

/**
 * Everything a device's poller is built from, as one digest: two equal
 * digests poll alike. Credentials are hashed in, never kept as text.
 */
function pollerSignature(device: Device, specs: readonly PolledInterfaceSpec[], endpoint: Endpoint, credentials: SnmpCredentials, intervalMs: number): string {
  const secret = (v: unknown) => (v && typeof v === 'object' && 'reveal' in v ? (v as { reveal(): string }).reveal() : v);
  const creds = Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, secret(v)]));
  return createHash('sha256')
    .update(JSON.stringify([device, specs, endpoint.host, endpoint.port, creds, intervalMs]))
    .digest('hex');
}
