/**
 * What every page of the console shows, kept current: the network model
 * (loaded once), live circuit and device status, and the active alarms. One
 * WebSocket brings status batches and alarm events; after a reconnect the
 * page asks for the batches it missed, so nothing is skipped. Pages subscribe
 * and redraw when told.
 */
import type { Alarm } from '../../shared/alarms/types.ts';
import type { CircuitLive, DeviceLive } from '../../shared/live/liveState.ts';
import type { Circuit, Device, LocalizedName, Site, SlaTier } from '../../shared/model/types.ts';
import { get } from './api.ts';

export interface TopologyView {
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

export type Change = 'status' | 'alarms' | 'connection';

export class ConsoleData {
  readonly sites: Map<string, Site>;
  readonly circuits: Map<string, Circuit>;
  readonly devices: Map<string, TopologyView['devices'][number]>;
  readonly tiers: Map<string, SlaTier>;
  readonly circuitStatus = new Map<string, CircuitLive>();
  readonly deviceStatus = new Map<string, DeviceLive>();
  activeAlarms: Alarm[] = [];
  connected = false;
  #seq = 0;
  #socket: WebSocket | null = null;
  #stopped = false;
  readonly #listeners = new Set<(c: Change, detail?: unknown) => void>();
  #alarmFetch: Promise<void> | null = null;
  #alarmFetchAgain: Promise<void> | null = null;

  private constructor(readonly topology: TopologyView) {
    this.sites = new Map(topology.sites.map((s) => [s.id, s]));
    this.circuits = new Map(topology.circuits.map((c) => [c.id, c]));
    this.devices = new Map(topology.devices.map((d) => [d.id, d]));
    this.tiers = new Map(topology.slaTiers.map((t) => [t.name, t]));
  }

  static async load(): Promise<ConsoleData> {
    const data = new ConsoleData(await get<TopologyView>('/api/topology'));
    await Promise.all([data.loadLive(), data.loadAlarms()]);
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

  status(circuitId: string): CircuitLive['status'] {
    return this.circuitStatus.get(circuitId)?.status ?? 'unknown';
  }

  private emit(c: Change, detail?: unknown): void {
    for (const l of this.#listeners) l(c, detail);
  }

  private apply(batch: StatusBatch): void {
    for (const c of batch.circuits) this.circuitStatus.set(c.circuitId, c);
    for (const d of batch.devices ?? []) this.deviceStatus.set(d.deviceId, d);
  }

  private async loadLive(): Promise<void> {
    const live = await get<{ seq: number; circuits: CircuitLive[]; devices: DeviceLive[] }>('/api/live');
    this.apply(live);
    this.#seq = live.seq;
  }

  /**
   * Active alarms, fetched again after an alarm event. Events that come while
   * a fetch is out share one more fetch after it: the one out may have left
   * before they happened.
   */
  loadAlarms(): Promise<void> {
    if (this.#alarmFetch) {
      this.#alarmFetchAgain ??= this.#alarmFetch.catch(() => undefined).then(() => {
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
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { type: string } & Partial<StatusBatch> & { event?: string; alarm?: Alarm };
      if (msg.type === 'status' && msg.seq !== undefined && msg.seq > this.#seq) {
        this.#seq = msg.seq;
        this.apply(msg as StatusBatch);
        this.emit('status');
      } else if (msg.type === 'alarm' && msg.alarm) {
        const event = { event: msg.event, alarm: msg.alarm };
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

  /** After a lost connection: what changed since the last batch seen (or everything), then listen again. */
  private async catchUp(): Promise<void> {
    try {
      const r = await get<{ seq: number; batches?: StatusBatch[]; circuits?: CircuitLive[]; devices?: DeviceLive[] }>(`/api/live?since=${this.#seq}`);
      for (const b of r.batches ?? []) this.apply(b);
      if (r.circuits) this.apply({ seq: r.seq, circuits: r.circuits, devices: r.devices ?? [] });
      this.#seq = r.seq;
      await this.loadAlarms();
      this.emit('status');
      this.emit('alarms');
      this.connect();
    } catch {
      // The server is away (or the session ended): try again; a 401 sends the page to the login.
      setTimeout(() => void this.catchUp(), 3000);
    }
  }
}
