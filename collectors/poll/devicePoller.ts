/**
 * Polls one device: resolves the interfaces the model names (by ifName,
 * ifDescr or ifAlias, never a stored ifIndex), then reads everything a cycle
 * needs in as few GETs as possible. Each GET also reads the name at each
 * ifIndex, so a renumbered agent is noticed at once and the names resolved
 * again; history follows the name, not the number.
 */
import type { DeviceInventory } from '../../shared/live/deviceInventory.ts';
import type { Device, InterfaceRef } from '../../shared/model/types.ts';
import { HOST_RESOURCES_DISCOVERY as HR, HOST_RESOURCES_HEALTH, IF_COLUMNS, IF_TABLE, IFX_COLUMNS, IFX_TABLE, SYSTEM } from '../../shared/snmp/oids.ts';
import type { HealthOids } from '../../shared/vendors/vendorProfile.ts';
import { VENDOR_PROFILES } from '../../shared/vendors/vendorProfiles.ts';
import type { InterfaceReading } from '../engine/counterEngine.ts';
import {
  cachedModel,
  guardCs,
  judgeProbes,
  MAX_BRACKET_CS,
  nextRefresh,
  refine,
  snapshotAt,
  verifyDue,
  type RefreshModel,
  type RefreshProbe,
} from '../engine/counterRefresh.ts';
import { SnmpError, type GetList, type SnmpClient, type SnmpErrorKind } from '../snmp/snmpClient.ts';
import type { SnmpValue } from '../snmp/snmpValue.ts';

export interface PolledInterfaceSpec {
  circuitId: string;
  end: 'a' | 'z';
  ref: InterfaceRef;
}

export interface InterfaceResult {
  spec: PolledInterfaceSpec;
  ifIndex: number | null;
  /** The agent's ifName for it (the circuit may name it by ifDescr or ifAlias), when known. */
  ifName: string | null;
  /** When (collector clock) the agent took the reading's counters: the reply, less their age. */
  takenAtMs: number | null;
  reading: InterfaceReading | null;
  /** Why there is no reading, with device and interface context. */
  error: string | null;
}

/** How the poller learns when an agent took its counters (see counterRefresh.ts). */
export interface RefreshDetection {
  /** Off for agents on a clock moved by hand, whose sysUpTime does not follow real time. */
  enabled: boolean;
  /** Real-time wait; injected so unit tests need not sleep. */
  sleep: (ms: number) => Promise<void>;
}

export const REAL_REFRESH_DETECTION: RefreshDetection = { enabled: true, sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))) };
/** Spacing of refresh probes: places a refresh within ±2.5 cs. */
const PROBE_SPACING_MS = 50;
/** Calibration gives up after this long: two refreshes of an agent that refreshes every ≤ 4 s. */
const CALIBRATION_MS = 8_500;
/** An undecided agent (idle interfaces) is calibrated again after this many polls. */
const RECALIBRATE_AFTER_POLLS = 30;
/** A cached model is checked against a measured refresh this often (agent time). */
const VERIFY_EVERY_CS = 6_000;
/** Polls between looks for a HOST-RESOURCES agent's hrProcessorTable, until it is found. */
const HR_RETRY_POLLS = 3;
/** Interfaces whose counters are watched for a refresh. */
const WATCHED_INTERFACES = 8;

export interface DevicePoll {
  deviceId: string;
  /** Collector clock when the poll finished (ms since the epoch). */
  atMs: number;
  reachable: boolean;
  responseMs: number;
  uptimeCs: number | null;
  cpuPct: number | null;
  memPct: number | null;
  interfaces: InterfaceResult[];
  /** The error that made the whole device unreadable, with context. */
  error: string | null;
  errorKind: SnmpErrorKind | null;
  /** True when interface names had to be resolved again this cycle (first poll, or renumbering). */
  resolved: boolean;
  /** How the agent's counters age, as far as known: live, cached every N cs, or not yet known. */
  counterRefresh: RefreshModel | null;
  requests: number;
  varbinds: number;
}

const NAME_COLUMN: Record<InterfaceRef['by'], string> = {
  ifName: `${IFX_TABLE}.${IFX_COLUMNS.ifName}`,
  ifDescr: `${IF_TABLE}.${IF_COLUMNS.ifDescr}`,
  ifAlias: `${IFX_TABLE}.${IFX_COLUMNS.ifAlias}`,
};

/** What a cycle reads for health: CPU OIDs (averaged) and the memory OIDs. */
interface HealthPlan {
  cpu: string[];
  memory: HealthOids['memory'];
}

/** OIDs read per interface per cycle (see ifaceOids). */
const IFACE_OIDS = 11;

/** A core router has a few hundred interfaces; past this the list is cut, not the server's memory. */
const MAX_INVENTORY_INTERFACES = 2000;

/** A string a device sent, for showing: control characters dropped, at most 256 characters. */
const deviceText = (v: SnmpValue | null): string | null => {
  const s = text(v);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
  return s === null ? null : s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 256);
};

const text = (v: SnmpValue | null): string | null => (v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8').trim() : String(v).trim());
/**
 * The specs' interface names as one buffer, to check what an agent sends
 * each cycle by bytes, without making a string (or a Buffer per name).
 */
class NameBytes {
  readonly #all: Buffer;
  readonly #ends: number[] = [];

  constructor(names: readonly string[]) {
    this.#all = Buffer.from(names.join(''), 'utf8');
    let end = 0;
    for (const n of names) this.#ends.push((end += Buffer.byteLength(n, 'utf8')));
  }

  /** Whether an agent's value is name k, as text() would compare it; bytes first. */
  matches(k: number, v: SnmpValue | null, name: string): boolean {
    const start = k === 0 ? 0 : this.#ends[k - 1]!;
    if (Buffer.isBuffer(v) && v.length === this.#ends[k]! - start && v.compare(this.#all, start, this.#ends[k]!) === 0) return true;
    return text(v) === name;
  }
}
const int = (v: SnmpValue | null): number | null => (v === null ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : null);
const big = (v: SnmpValue | null): bigint | null => (v === null ? null : typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : null);

export class DevicePoller {
  /** Resolved ifIndex per interface spec (by position), and counter width per ifIndex. */
  #index: Array<number | null> = [];
  #width = new Map<number, 32 | 64>();
  /** The agent's ifName of each resolved interface (by position), when it has one. */
  #ifNames: Array<string | null> = [];
  #health: HealthPlan;
  #healthFallbackTried = false;
  #hostResources: boolean;
  /** HOST-RESOURCES agents: whether hrProcessorTable was found, and polls until it is looked for again. */
  #hrFound = false;
  #hrRetryIn = 0;
  #needsResolve = true;
  #plan: ReturnType<DevicePoller['makePlan']> | null = null;
  readonly #names: NameBytes;
  /** When the agent takes its counters; null until calibrated. */
  #refresh: RefreshModel | null = null;
  #pollsUntilCalibration = 0;
  #lastUptimeCs: number | null = null;
  #probeList: GetList | null = null;
  /** Octets (in + out) per spec at the last reading, and whether any moved since the one before. */
  readonly #lastOctets = new Map<number, bigint>();
  #octetsMoved = false;

  constructor(
    readonly device: Device,
    readonly specs: readonly PolledInterfaceSpec[],
    private readonly client: SnmpClient,
    private readonly now: () => number = Date.now,
    private readonly detection: RefreshDetection = REAL_REFRESH_DETECTION,
  ) {
    const vendor = VENDOR_PROFILES[device.vendor];
    this.#health = { cpu: [vendor.health.cpuPct], memory: vendor.health.memory };
    this.#hostResources = vendor.hostResources;
    this.#names = new NameBytes(specs.map((s) => s.ref.value));
  }

  /** The circuit whose end the resolved interface at `ifIndex` is, if any. */
  circuitAtIfIndex(ifIndex: number): string | null {
    const k = this.#index.indexOf(ifIndex);
    return k < 0 ? null : this.specs[k]!.circuitId;
  }

  /**
   * What the device says it is and has: system strings and every interface
   * with its ifAlias. Device strings are cut to a sane length and stripped of
   * control characters here; the console still shows them only as text.
   * @throws SnmpError naming the device and what was being read.
   */
  async inventory(): Promise<DeviceInventory> {
    const at = this.now();
    const read = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        const e = err as SnmpError;
        throw new SnmpError(e.kind ?? 'error', `device ${this.device.id}: ${what}: ${e.message}`);
      }
    };
    const column = async (name: string, oid: string) =>
      new Map((await read(`walking ${name}`, () => this.client.walk(oid))).map((r) => [Number(r.oid.slice(oid.length + 1)), r.value]));
    const [descr, name] = await read('reading sysDescr and sysName', () => this.client.get([`${SYSTEM.sysDescr}.0`, `${SYSTEM.sysName}.0`]));
    const names = await column('ifName', `${IFX_TABLE}.${IFX_COLUMNS.ifName}`);
    const aliases = await column('ifAlias', `${IFX_TABLE}.${IFX_COLUMNS.ifAlias}`);
    const oper = await column('ifOperStatus', `${IF_TABLE}.${IF_COLUMNS.ifOperStatus}`);
    const admin = await column('ifAdminStatus', `${IF_TABLE}.${IF_COLUMNS.ifAdminStatus}`);
    const speed = await column('ifHighSpeed', `${IFX_TABLE}.${IFX_COLUMNS.ifHighSpeed}`);
    const indexes = [...new Set([...names.keys(), ...oper.keys()])].filter(Number.isSafeInteger).sort((a, b) => a - b);
    const up = (v: SnmpValue | undefined) => (v === undefined ? null : int(v) === 1);
    return {
      deviceId: this.device.id,
      readAtMs: at,
      sysName: deviceText(name ?? null),
      sysDescr: deviceText(descr ?? null),
      interfaces: indexes.slice(0, MAX_INVENTORY_INTERFACES).map((i) => ({
        ifIndex: i,
        ifName: deviceText(names.get(i) ?? null),
        ifAlias: deviceText(aliases.get(i) ?? null),
        adminUp: up(admin.get(i)),
        operUp: up(oper.get(i)),
        speedMbps: speed.has(i) ? int(speed.get(i)!) : null,
        circuitId: this.circuitAtIfIndex(i),
      })),
    };
  }

  /** One poll. Never throws: failures come back in the result, with context. */
  async poll(): Promise<DevicePoll> {
    const started = this.now();
    const before = { ...this.client.stats };
    const counters = () => ({ requests: this.client.stats.requests - before.requests, varbinds: this.client.stats.varbinds - before.varbinds });
    let resolved = false;
    try {
      if (this.#needsResolve) {
        await this.resolve();
        resolved = true;
      }
      // A freshly started snmpd has no hrProcessorTable for its first seconds: look again later
      // rather than fall back to a fixed instance that Net-SNMP never has.
      if (this.#hostResources && !this.#hrFound && !resolved && this.#hrRetryIn-- <= 0) await this.rediscoverHostResources();
      if (this.detection.enabled && this.#pollsUntilCalibration-- <= 0 && this.#refresh === null) await this.calibrate();
      let read = await this.readAtSnapshot();
      if (read.stale && !resolved) {
        // The agent renumbered its interfaces, or lost HC counters: resolve and read again.
        await this.resolve();
        resolved = true;
        read = await this.readAtSnapshot();
      }
      await this.verifyRefresh(read.uptimeCs);
      const finished = this.now();
      return {
        deviceId: this.device.id,
        atMs: finished,
        reachable: true,
        responseMs: finished - started,
        uptimeCs: read.uptimeCs,
        cpuPct: read.cpuPct,
        memPct: read.memPct,
        interfaces: read.interfaces,
        error: null,
        errorKind: null,
        resolved,
        counterRefresh: this.#refresh,
        ...counters(),
      };
    } catch (err) {
      const finished = this.now();
      const message = err instanceof SnmpError ? err.message : `unexpected: ${(err as Error).message}`;
      return {
        deviceId: this.device.id,
        atMs: finished,
        reachable: false,
        responseMs: finished - started,
        uptimeCs: null,
        cpuPct: null,
        memPct: null,
        interfaces: this.specs.map((spec) => ({ spec, ifIndex: null, ifName: null, takenAtMs: null, reading: null, error: null })),
        error: `device ${this.device.id}: ${message}`,
        errorKind: err instanceof SnmpError ? err.kind : 'error',
        resolved,
        counterRefresh: this.#refresh,
        ...counters(),
      };
    }
  }

  /** Walks the name columns the specs use and finds each interface's ifIndex and counter width. */
  private async resolve(): Promise<void> {
    const byName = new Map<InterfaceRef['by'], Map<string, number>>();
    for (const by of new Set(this.specs.map((s) => s.ref.by))) {
      const rows = await this.client.walk(NAME_COLUMN[by]);
      const names = new Map<string, number>();
      for (const row of rows) {
        const name = text(row.value);
        const index = Number(row.oid.slice(NAME_COLUMN[by].length + 1));
        if (name !== null && !names.has(name)) names.set(name, index);
      }
      byName.set(by, names);
    }
    this.#index = this.specs.map((s) => byName.get(s.ref.by)?.get(s.ref.value) ?? null);
    const indexes = this.#index.filter((i): i is number => i !== null);
    // One request: each interface's HC counter (is there one?) and its ifName (the schema's
    // ifname tag, whatever name the circuit was found by).
    const found = indexes.length
      ? await this.client.get(indexes.flatMap((i) => [`${IFX_TABLE}.${IFX_COLUMNS.ifHCInOctets}.${i}`, `${IFX_TABLE}.${IFX_COLUMNS.ifName}.${i}`]))
      : [];
    this.#width = new Map(indexes.map((i, k) => [i, found[2 * k] === null || found[2 * k] === undefined ? 32 : 64]));
    const ifNames = new Map(indexes.map((i, k) => [i, deviceText(found[2 * k + 1] ?? null)]));
    this.#ifNames = this.#index.map((i) => (i === null ? null : ifNames.get(i) || null));
    if (this.#hostResources) await this.rediscoverHostResources();
    this.#needsResolve = false;
    this.#plan = null;
    this.#probeList = null;
  }

  /**
   * A cycle's reading with each interface's uptimeCs set to when the agent
   * took its counters. A reading that fell so near a refresh that it could
   * be either side of it is taken again just after that refresh.
   */
  private async readAtSnapshot(): Promise<Awaited<ReturnType<DevicePoller['read']>>> {
    let read = await this.read();
    if (read.uptimeCs !== null && this.#lastUptimeCs !== null && read.uptimeCs < this.#lastUptimeCs) {
      // The agent restarted: its refresh timer started again at another phase.
      this.#refresh = null;
      this.#pollsUntilCalibration = 0;
    }
    this.#lastUptimeCs = read.uptimeCs;
    const model = this.#refresh;
    if (!model || model.kind === 'live') return read;
    const place = () => read.interfaces.map((r) => (r.reading ? snapshotAt(model, r.reading.uptimeCs) : null));
    let places = place();
    const ambiguous = places.find((p) => p?.kind === 'ambiguous');
    if (ambiguous?.kind === 'ambiguous') {
      await this.sleepUntilUptime(read.uptimeCs!, ambiguous.nextRefreshCs + guardCs(model, ambiguous.nextRefreshCs));
      const moved = this.#octetsMoved;
      read = await this.read();
      // Whether traffic moved is judged against the previous poll, not the first read of this one.
      this.#octetsMoved ||= moved;
      this.#lastUptimeCs = read.uptimeCs;
      places = place();
    }
    read.interfaces.forEach((r, k) => {
      const p = places[k];
      // Still ambiguous after waiting means the model is off: calibrate again at the next poll.
      if (p?.kind === 'ambiguous') this.#refresh = null;
      if (r.reading && p?.kind === 'at') {
        r.takenAtMs = r.takenAtMs === null ? null : r.takenAtMs - (r.reading.uptimeCs - p.uptimeCs) * 10;
        r.reading = { ...r.reading, uptimeCs: p.uptimeCs };
      }
    });
    return read;
  }

  private async sleepUntilUptime(nowCs: number, targetCs: number): Promise<void> {
    if (targetCs > nowCs) await this.detection.sleep((targetCs - nowCs) * 10);
  }

  /** sysUpTime and the octet counters of the busiest resolved interfaces, read quickly. */
  private async probe(): Promise<RefreshProbe> {
    if (!this.#probeList) {
      const oids = this.#index.flatMap((index, k) => {
        if (index === null) return [];
        const w = this.#width.get(index) ?? 32;
        const col = (hc: number, plain: number) => (w === 64 ? `${IFX_TABLE}.${hc}.${index}` : `${IF_TABLE}.${plain}.${index}`);
        return [{ k, oids: [col(IFX_COLUMNS.ifHCInOctets, IF_COLUMNS.ifInOctets), col(IFX_COLUMNS.ifHCOutOctets, IF_COLUMNS.ifOutOctets)] }];
      });
      // The most bytes since boot marks the busiest interfaces, which show a refresh best.
      const total = (k: number) => this.#lastOctets.get(k) ?? 0n;
      oids.sort((a, b) => (total(b.k) > total(a.k) ? 1 : total(b.k) < total(a.k) ? -1 : 0));
      this.#probeList = this.client.prepare([`${SYSTEM.sysUpTime}.0`, ...oids.slice(0, WATCHED_INTERFACES).flatMap((o) => o.oids)]);
    }
    const values = await this.client.get(this.#probeList);
    const uptimeCs = int(values[0] ?? null);
    if (uptimeCs === null) throw new SnmpError('error', `${this.device.id}: no sysUpTime`);
    return { uptimeCs, values: values.slice(1).map((v) => big(v) ?? -1n) };
  }

  /**
   * Finds out whether the agent's counters are live or refreshed on a timer,
   * by reading them every 50 ms until the answer is clear (at most 8.5 s,
   * about 170 small GETs, once per agent start).
   */
  private async calibrate(): Promise<void> {
    if (!this.#index.some((i) => i !== null)) return;
    this.#probeList = null; // chosen again, now that the busiest interfaces may be known
    const probes: RefreshProbe[] = [];
    const deadline = Date.now() + CALIBRATION_MS;
    while (Date.now() < deadline) {
      probes.push(await this.probe());
      const verdict = judgeProbes(probes);
      if (verdict.kind === 'live') {
        this.#refresh = { kind: 'live' };
        return;
      }
      if (verdict.kind === 'cached') {
        this.#refresh = cachedModel(verdict.periodCs, verdict.refreshCs);
        return;
      }
      // An agent whose sysUpTime stands still (a clock moved by hand) tells nothing more.
      if (probes.length >= 4 && probes[probes.length - 1]!.uptimeCs === probes[0]!.uptimeCs) break;
      await this.detection.sleep(PROBE_SPACING_MS);
    }
    this.#pollsUntilCalibration = RECALIBRATE_AFTER_POLLS;
  }

  /**
   * Once a minute, measures the refresh the model predicts next and refines
   * the period over the longer baseline; a refresh that is not where the model
   * says drops the model, to be calibrated again.
   */
  private async verifyRefresh(uptimeCs: number | null): Promise<void> {
    const model = this.#refresh;
    if (model?.kind !== 'cached' || uptimeCs === null || !verifyDue(model, uptimeCs, VERIFY_EVERY_CS)) return;
    const predicted = nextRefresh(model, uptimeCs + guardCs(model, uptimeCs));
    const guard = guardCs(model, predicted);
    await this.sleepUntilUptime(uptimeCs, predicted - guard);
    let prev = await this.probe();
    while (prev.uptimeCs <= predicted + guard + MAX_BRACKET_CS) {
      await this.detection.sleep(PROBE_SPACING_MS);
      const curr = await this.probe();
      if (curr.values.some((v, i) => v !== prev.values[i])) {
        this.#refresh = curr.uptimeCs - prev.uptimeCs <= MAX_BRACKET_CS ? refine(model, (prev.uptimeCs + curr.uptimeCs) / 2) : model;
        return;
      }
      prev = curr;
    }
    // No change around the predicted refresh. With traffic since the last poll the model no
    // longer holds: calibrate again. Idle interfaces show no refresh: try again in a minute.
    if (this.#octetsMoved || guard > model.periodCs / 4) {
      this.#refresh = null;
      this.#pollsUntilCalibration = this.#octetsMoved ? 0 : RECALIBRATE_AFTER_POLLS;
    }
  }

  /**
   * One cycle's reading. Every request carries sysUpTime.0 beside the
   * interfaces it reads, so each interface's counters are paired with the
   * uptime the device reported at the same moment, however many requests a
   * big router needs.
   */
  private async read() {
    const plan = (this.#plan ??= this.makePlan());
    // Where each interface's values are: the reply they came in, and their offset in it.
    const perIface: Array<{ values: Array<SnmpValue | null>; at: number; uptimeCs: number; replyAtMs: number; width: 32 | 64 } | null> = this.#index.map(
      () => null,
    );
    let uptimeCs: number | null = null;
    let health: Array<SnmpValue | null> = [];
    for (const request of plan) {
      const values = await this.client.get(request.list);
      const replyAtMs = this.now();
      const chunkUptime = int(values[0] ?? null);
      if (chunkUptime === null) throw new SnmpError('error', `${this.device.id}: no sysUpTime`);
      let at = 1;
      if (request === plan[0]) {
        uptimeCs = chunkUptime;
        health = values.slice(1, 1 + request.healthCount);
        at += request.healthCount;
      }
      for (const g of request.interfaces) {
        perIface[g.k] = { values, at, uptimeCs: chunkUptime, replyAtMs, width: g.width };
        at += IFACE_OIDS;
      }
    }
    const healthResult = await this.healthFrom(health);

    let stale = false;
    let moved = false;
    const interfaces: InterfaceResult[] = this.specs.map((spec, k) => {
      const slot = perIface[k];
      const ifIndex = this.#index[k] ?? null;
      if (!slot || ifIndex === null) {
        return {
          spec,
          ifIndex: null,
          ifName: null,
          takenAtMs: null,
          reading: null,
          error: `device ${this.device.id}: interface ${spec.ref.by} "${spec.ref.value}" not found on the agent`,
        };
      }
      const v = slot.values;
      const o = slot.at;
      if (!this.#names.matches(k, v[o] ?? null, spec.ref.value)) {
        stale = true;
        this.#needsResolve = true;
        return {
          spec,
          ifIndex,
          ifName: null,
          takenAtMs: null,
          reading: null,
          error: `device ${this.device.id}: ifIndex ${ifIndex} is no longer ${spec.ref.by} "${spec.ref.value}"`,
        };
      }
      const inOctets = big(v[o + 1] ?? null);
      const outOctets = big(v[o + 2] ?? null);
      if (inOctets === null || outOctets === null) {
        stale = true;
        this.#needsResolve = true;
        return {
          spec,
          ifIndex,
          ifName: this.#ifNames[k] ?? null,
          takenAtMs: null,
          reading: null,
          error: `device ${this.device.id}: ${spec.ref.value}: no ${slot.width}-bit octet counters`,
        };
      }
      const octets = inOctets + outOctets;
      if (this.#lastOctets.get(k) !== octets) moved = true;
      this.#lastOctets.set(k, octets);
      return {
        spec,
        ifIndex,
        ifName: this.#ifNames[k] ?? null,
        takenAtMs: slot.replyAtMs,
        error: null,
        reading: {
          uptimeCs: slot.uptimeCs,
          inOctets,
          outOctets,
          width: slot.width,
          inErrors: int(v[o + 3] ?? null) ?? 0,
          outErrors: int(v[o + 4] ?? null) ?? 0,
          inDiscards: int(v[o + 5] ?? null) ?? 0,
          outDiscards: int(v[o + 6] ?? null) ?? 0,
          operStatus: int(v[o + 7] ?? null) ?? 0,
          adminStatus: int(v[o + 8] ?? null) ?? 0,
          lastChangeCs: int(v[o + 9] ?? null) ?? 0,
          discontinuityCs: int(v[o + 10] ?? null) ?? 0,
        },
      };
    });
    this.#octetsMoved = moved;
    return { uptimeCs, ...healthResult, interfaces, stale };
  }

  /**
   * The requests one cycle sends, built once per resolution: every request
   * starts with sysUpTime.0, the first also carries the health OIDs.
   */
  private makePlan(): Array<{ list: GetList; healthCount: number; interfaces: Array<{ k: number; width: 32 | 64 }> }> {
    const healthOids = [...this.#health.cpu, ...healthMemoryOids(this.#health.memory)];
    const uptimeOid = `${SYSTEM.sysUpTime}.0`;
    const live = this.#index.flatMap((index, k) => (index === null ? [] : [{ k, index, width: this.#width.get(index) ?? (32 as const) }]));
    const perRequest = Math.max(1, Math.floor((this.client.maxVarbinds - 1 - healthOids.length) / IFACE_OIDS));
    const plan = [];
    for (let start = 0; start === 0 || start < live.length; start += perRequest) {
      const chunk = live.slice(start, start + perRequest);
      const first = start === 0;
      plan.push({
        list: this.client.prepare([uptimeOid, ...(first ? healthOids : []), ...chunk.flatMap((g) => this.ifaceOids(g.k, g.index, g.width))]),
        healthCount: first ? healthOids.length : 0,
        interfaces: chunk.map((g) => ({ k: g.k, width: g.width })),
      });
    }
    return plan;
  }

  /** The OIDs read for one interface each cycle; the first checks the name still lives at this ifIndex. */
  private ifaceOids(k: number, index: number, width: 32 | 64): string[] {
    return [
      `${NAME_COLUMN[this.specs[k]!.ref.by]}.${index}`,
      width === 64 ? `${IFX_TABLE}.${IFX_COLUMNS.ifHCInOctets}.${index}` : `${IF_TABLE}.${IF_COLUMNS.ifInOctets}.${index}`,
      width === 64 ? `${IFX_TABLE}.${IFX_COLUMNS.ifHCOutOctets}.${index}` : `${IF_TABLE}.${IF_COLUMNS.ifOutOctets}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifInErrors}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifOutErrors}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifInDiscards}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifOutDiscards}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifAdminStatus}.${index}`,
      `${IF_TABLE}.${IF_COLUMNS.ifLastChange}.${index}`,
      `${IFX_TABLE}.${IFX_COLUMNS.ifCounterDiscontinuityTime}.${index}`,
    ];
  }

  /** CPU and memory from the vendor's OIDs; if the agent lacks them, HOST-RESOURCES-MIB once. */
  private async healthFrom(values: Array<SnmpValue | null>): Promise<{ cpuPct: number | null; memPct: number | null }> {
    let result = healthValues(this.#health, values);
    if (result.cpuPct === null && !this.#healthFallbackTried && !this.#hostResources) {
      // The vendor's OIDs gave nothing: try HOST-RESOURCES-MIB, once.
      this.#healthFallbackTried = true;
      const found = await this.discoverHostResources();
      if (found) {
        const r = healthValues(found, await this.client.get([...found.cpu, ...healthMemoryOids(found.memory)]));
        if (r.cpuPct !== null) {
          this.#health = found;
          this.#hostResources = true;
          this.#plan = null;
          result = r;
        }
      }
    }
    return result;
  }

  private async rediscoverHostResources(): Promise<void> {
    const found = await this.discoverHostResources();
    this.#hrFound = found !== null;
    this.#hrRetryIn = HR_RETRY_POLLS;
    if (found) {
      this.#health = found;
      this.#plan = null;
    }
  }

  /** Every processor's load, and the RAM row of hrStorage, by walking; null if the agent has none. */
  private async discoverHostResources(): Promise<HealthPlan | null> {
    const cpu = (await this.client.walk(HR.processorLoadColumn)).map((r) => r.oid);
    if (cpu.length === 0) return null;
    const ram = (await this.client.walk(HR.storageTypeColumn)).find((r) => String(r.value).replace(/^\./, '') === HR.storageRamType);
    const index = ram?.oid.slice(HR.storageTypeColumn.length + 1);
    const e = HR.storageEntry;
    const c = HR.storageColumns;
    const memory: HealthOids['memory'] = index
      ? { kind: 'usedSize', used: `${e}.${c.used}.${index}`, size: `${e}.${c.size}.${index}`, unit: `${e}.${c.unit}.${index}` }
      : HOST_RESOURCES_HEALTH.memory;
    return { cpu, memory };
  }
}

function healthMemoryOids(m: HealthOids['memory']): string[] {
  return m.kind === 'pct' ? [m.oid] : m.kind === 'usedFree' ? [m.used, m.free] : [m.used, m.size, m.unit];
}

function healthValues(h: HealthPlan, values: Array<SnmpValue | null>): { cpuPct: number | null; memPct: number | null } {
  const loads = values
    .slice(0, h.cpu.length)
    .map((v) => int(v ?? null))
    .filter((v): v is number => v !== null);
  const cpuPct = loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : null;
  const m = h.memory;
  const at = h.cpu.length;
  let memPct: number | null = null;
  if (m.kind === 'pct') memPct = int(values[at] ?? null);
  else {
    const used = int(values[at] ?? null);
    const other = int(values[at + 1] ?? null);
    if (used !== null && other !== null) {
      const total = m.kind === 'usedFree' ? used + other : other;
      memPct = total > 0 ? (used / total) * 100 : null;
    }
  }
  return { cpuPct, memPct };
}
