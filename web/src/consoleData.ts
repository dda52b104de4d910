/**
 * What every page of the console shows, kept current: the network model
 * (loaded once), live circuit and device status, and the active alarms. One
 * WebSocket brings status batches and alarm events; after a reconnect the
 * page asks for the batches it missed, so nothing is skipped. Pages subscribe
 * and redraw when told.
 */
import type { BasemapGeoJson } from '../../shared/map/basemap.ts';
import type { Alarm } from '../../shared/alarms/types.ts';
import type { CircuitLive, DeviceLive, LiveFreshness } from '../../shared/live/liveState.ts';
import type { Circuit, Device, LocalizedName, Site, SlaTier } from '../../shared/model/types.ts';
import { get } from './api.ts';
import { linkStatusShown } from './linkStatusShown.ts';

export interface TopologyView {
  /** The model's revision: another one named by the server means `nms reload` changed it. */
  revision: string | null;
  network: { name: LocalizedName; timezone: string };
  sites: Site[];
  devices: Array<Omit<Device, 'snmpProfile'>>;
  circuits: Circuit[];
  slaTiers: SlaTier[];
}

interface StatusBatch {
  seq: number;
  circuits: CircuitLive[];
  devices: DeviceLive[];
}

/** What the server says of how current its state is, at its own clock's `atMs`. */
type Freshness = LiveFreshness & { atMs: number };

type Snapshot = StatusBatch & LiveFreshness & { asOfMs: number };

export type Change = 'status' | 'alarms' | 'connection';

/** A circuit as screens colour it. */
export type ShownStatus = 'up' | 'down' | 'unknown' | 'degraded';

export class ConsoleData {
  readonly sites: Map<string, Site>;
  readonly circuits: Map<string, Circuit>;
  readonly devices: Map<string, TopologyView['devices'][number]>;
  readonly tiers: Map<string, SlaTier>;
  readonly circuitStatus = new Map<string, CircuitLive>();
  readonly deviceStatus = new Map<string, DeviceLive>();
  activeAlarms: Alarm[] = [];
  connected = false;
  /** This browser's clock when the newest poll result it shows reached the server. */
  #lastUpdateLocalMs: number | null = null;
  #pollIntervalMs = 60_000;
  #seq = 0;
  #socket: WebSocket | null = null;
  #stopped = false;
  readonly #listeners = new Set<(c: Change, detail?: unknown) => void>();
  #alarmFetch: Promise<void> | null = null;
  #alarmFetchAgain: Promise<void> | null = null;
  /** When a circuit's down alarm last cleared (a linkUp trap clears it before any poll comes). */
  readonly #downClearedAtMs = new Map<string, number>();

  private constructor(readonly topology: TopologyView) {
    this.sites = new Map(topology.sites.map((s) => [s.id, s]));
    this.circuits = new Map(topology.circuits.map((c) => [c.id, c]));
    this.devices = new Map(topology.devices.map((d) => [d.id, d]));
    this.tiers = new Map(topology.slaTiers.map((t) => [t.name, t]));
  }

  /**
   * What a screen shows for a circuit: its link status, or `degraded` when it
   * is up but a circuit_degraded alarm covers it (its own, or an uplink's
   * that lists it as impacted). Down always wins: an outage is not also a
   * degradation. At a province's centre, a circuit whose city poller is
   * silent is unknown, whatever it was when last heard. A trap's word (its
   * down alarm raised, or cleared) stands until a poll begun after it says
   * otherwise: the map turns red with the alarm, not a poll later.
   */
  shownStatus(circuitId: string): ShownStatus {
    if (this.activeAlarms.some((a) => a.kind === 'poller_silent' && a.impactedCircuits.includes(circuitId))) return 'unknown';
    const st = linkStatusShown(circuitId, this.circuitStatus.get(circuitId), this.activeAlarms, this.#downClearedAtMs);
    if (st !== 'up') return st;
    return this.degradedAlarm(circuitId) ? 'degraded' : 'up';
  }

  /**
   * A circuit's traffic as screens show it: a link shown down carries
   * nothing, even while the figures of the poll before its trap are all the
   * page has.
   * @param shown what shownStatus says of the circuit, which the caller has worked out already.
   */
  trafficShown(circuitId: string, shown: ShownStatus): Pick<CircuitLive, 'inBps' | 'outBps' | 'inUtilPct' | 'outUtilPct'> | undefined {
    const l = this.circuitStatus.get(circuitId);
    if (shown !== 'down') return l;
    return { inBps: 0, outBps: 0, inUtilPct: 0, outUtilPct: 0 };
  }

  /** The active degraded alarm that covers a circuit, its own or its uplink's. */
  degradedAlarm(circuitId: string): Alarm | null {
    return this.activeAlarms.find((a) => a.kind === 'circuit_degraded' && (a.subject.id === circuitId || a.impactedCircuits.includes(circuitId))) ?? null;
  }

  /** The outlines the overview's map is drawn on; null when the server has none for this network. */
  basemap: BasemapGeoJson | null = null;

  static async load(): Promise<ConsoleData> {
    const data = new ConsoleData(await get<TopologyView>('/api/topology'));
    await Promise.all([data.loadLive(), data.loadAlarms(), data.loadBasemap()]);
    data.connect();
    return data;
  }

  /** Calls `fn` on every change; returns the function that stops it. */
  on(fn: (c: Change, detail?: unknown) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.close();
    this.#listeners.clear();
  }

  siteOfDevice(deviceId: string | undefined): Site | undefined {
    const d = deviceId ? this.devices.get(deviceId) : undefined;
    return d ? this.sites.get(d.siteId) : undefined;
  }

  /** The two sites a circuit joins: its A end's, and its Z end's (or the owner's, for an external end). */
  endSites(c: Circuit): [Site | undefined, Site | undefined] {
    return [this.siteOfDevice(c.a.deviceId), c.z.kind === 'device' ? this.siteOfDevice(c.z.deviceId) : this.sites.get(c.ownerSiteId)];
  }

  /**
   * Seconds since the newest result shown reached the server, or null before
   * any; it grows while nothing arrives, whether the server, its pollers or
   * the connection went quiet.
   */
  dataAgeS(): number | null {
    return this.#lastUpdateLocalMs === null ? null : Math.max(0, (Date.now() - this.#lastUpdateLocalMs) / 1000);
  }

  /** Whether what is shown is older than the pollers allow (one and a half of the shortest interval). */
  stale(): boolean {
    const age = this.dataAgeS();
    return age !== null && age * 1000 > 1.5 * this.#pollIntervalMs;
  }

  /** Times are compared on the server's clock, so a browser whose clock is off still judges the age right. */
  private noteFreshness(f: Freshness): void {
    this.#pollIntervalMs = f.pollIntervalMs;
    if (f.lastUpdateMs !== null) this.#lastUpdateLocalMs = Date.now() - Math.max(0, f.atMs - f.lastUpdateMs);
  }

  private emit(c: Change, detail?: unknown): void {
    for (const l of this.#listeners) l(c, detail);
  }

  private apply(batch: StatusBatch): void {
    for (const c of batch.circuits) this.circuitStatus.set(c.circuitId, c);
    for (const d of batch.devices ?? []) this.deviceStatus.set(d.deviceId, d);
  }

  private async loadBasemap(): Promise<void> {
    // 204 (no outlines) reads as an empty body; a map without them is still a map.
    const map = await get<Partial<BasemapGeoJson>>('/api/basemap').catch(() => null);
    this.basemap = map?.type === 'FeatureCollection' ? (map as BasemapGeoJson) : null;
  }

  /**
   * The server runs another model (`nms reload`): every view is drawn from
   * the model, so the page loads again, on the same view; the session stays.
   */
  private noteModel(revision: string | null | undefined): void {
    if (!revision || !this.topology.revision || revision === this.topology.revision || this.#stopped) return;
    this.stop();
    location.reload();
  }

  private async loadLive(): Promise<void> {
    const live = await get<Snapshot & { model?: string | null }>('/api/live');
    this.noteModel(live.model);
    this.apply(live);
    this.#seq = live.seq;
    this.noteFreshness({ ...live, atMs: live.asOfMs });
  }

  /**
   * Active alarms, fetched again after an alarm event. Events that come while
   * a fetch is out share one more fetch after it: the one out may have left
   * before they happened.
   */
  loadAlarms(): Promise<void> {
    if (this.#alarmFetch) {
      this.#alarmFetchAgain ??= this.#alarmFetch
        .catch(() => undefined)
        .then(() => {
          this.#alarmFetchAgain = null;
          return this.loadAlarms();
        });
      return this.#alarmFetchAgain;
    }
    this.#alarmFetch = get<{ alarms: Alarm[] }>('/api/alarms?state=active&limit=1000')
      .then((r) => {
        this.activeAlarms = r.alarms;
      })
      .finally(() => {
        this.#alarmFetch = null;
      });
    return this.#alarmFetch;
  }

  private connect(): void {
    if (this.#stopped) return;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    this.#socket = ws;
    ws.onopen = () => {
      this.connected = true;
      this.emit('connection');
      // Batches and alarms sent between the page's load (or the lost connection) and now went to nobody: ask for them.
      void this.fetchMissed().catch(() => undefined);
      void this.loadAlarms().then(
        () => this.emit('alarms'),
        () => undefined,
      );
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { type: string; revision?: string } & Partial<StatusBatch> &
        Partial<Freshness> & { event?: string; alarm?: Alarm };
      if (msg.type === 'model') this.noteModel(msg.revision);
      else if (msg.type === 'status' && msg.seq !== undefined && msg.seq > this.#seq) {
        // A batch that skips a number would leave the changes in between unseen: fetch them instead.
        if (msg.seq !== this.#seq + 1) {
          void this.fetchMissed();
          return;
        }
        this.#seq = msg.seq;
        this.#lastUpdateLocalMs = Date.now();
        this.apply(msg as StatusBatch);
        this.emit('status');
      } else if (msg.type === 'heartbeat' && msg.atMs !== undefined && msg.pollIntervalMs !== undefined) {
        this.noteFreshness(msg as Freshness);
        if (msg.seq !== undefined && msg.seq > this.#seq) void this.fetchMissed();
        this.emit('connection');
      } else if (msg.type === 'alarm' && msg.alarm) {
        const event = { event: msg.event, alarm: msg.alarm };
        if (msg.alarm.kind === 'circuit_down' && msg.event === 'cleared' && msg.alarm.endedAtMs !== null)
          this.#downClearedAtMs.set(msg.alarm.subject.id, msg.alarm.endedAtMs);
        void this.loadAlarms().then(() => this.emit('alarms', event));
      }
    };
    ws.onclose = () => {
      this.connected = false;
      if (this.#stopped) return;
      this.emit('connection');
      setTimeout(() => void this.catchUp(), 1000);
    };
  }

  /** What changed since the last batch seen (or everything, when that is too far back). */
  private async fetchMissed(): Promise<void> {
    const asked = this.#seq;
    const r = await get<{ seq: number; model?: string | null; batches?: StatusBatch[] } & Partial<Snapshot>>(`/api/live?since=${asked}`);
    this.noteModel(r.model);
    // Another fetch or a batch may have moved on meanwhile; only apply what is still news.
    if (r.seq < this.#seq) return;
    for (const b of r.batches ?? []) if (b.seq > this.#seq) this.apply(b);
    if (r.circuits) {
      this.apply({ seq: r.seq, circuits: r.circuits, devices: r.devices ?? [] });
      if (r.asOfMs !== undefined && r.pollIntervalMs !== undefined)
        this.noteFreshness({ atMs: r.asOfMs, lastUpdateMs: r.lastUpdateMs ?? null, pollIntervalMs: r.pollIntervalMs });
    } else if ((r.batches ?? []).length) this.#lastUpdateLocalMs = Date.now();
    this.#seq = r.seq;
    this.emit('status');
  }

  /** After a lost connection: once the server answers again, listen again (the open catches up). */
  private async catchUp(): Promise<void> {
    if (this.#stopped) return;
    try {
      await get('/api/session');
      this.connect();
    } catch {
      // The server is away (or the session ended): try again; a 401 sends the page to the login.
      setTimeout(() => void this.catchUp(), 3000);
    }
  }
}
