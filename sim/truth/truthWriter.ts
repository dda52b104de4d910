/**
 * Writes the ground truth: what really happened on the simulated network, in
 * the format documented in README.md beside this file. Tests and reports
 * compare what the product measured with this, never with its own output.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fault } from '../network/faults.ts';
import { RATE_FIELDS, type CircuitState, type DeviceState, type NetworkObserver } from '../network/simNetwork.ts';

export const TRUTH_FORMAT = 'nms-sim-truth/1';

/** Column suffixes, in order, for each circuit in traffic.csv. */
export const TRUTH_COLUMNS = ['a_in', 'a_out', 'z_in', 'z_out', 'a_in_errors', 'z_in_errors'] as const;
export type TruthColumn = (typeof TRUTH_COLUMNS)[number];

export interface TruthMeta {
  format: typeof TRUTH_FORMAT;
  network: string;
  seed: number;
  speed: number;
  simStartMs: number;
  simStart: string;
  realStart: string;
  slotSeconds: number;
  /** When each managed device last booted before the start: sysUpTime counts from here. Later boots are events. */
  devices: Array<{ id: string; bootMs: number }>;
  circuits: Array<{
    id: string;
    kind: string;
    bandwidthBps: number;
    packetBytes: number;
    a: { device: string; ifName: string | null };
    z: { device: string | null; ifName: string | null };
  }>;
}

export type TruthEvent =
  | { kind: 'link-down' | 'link-up'; circuit: string; cause: string }
  | { kind: 'reboot-start'; device: string }
  | { kind: 'boot'; device: string; renumbered: boolean }
  | { kind: 'fault-start' | 'fault-end'; id: number; fault: Fault };

/** Column suffixes, in order, for each circuit in quality.csv: what an echo to its Z device met. */
export const QUALITY_COLUMNS = ['rtt_ms', 'jitter_ms', 'loss_pct'] as const;
export type QualityColumn = (typeof QUALITY_COLUMNS)[number];

export class TruthWriter implements NetworkObserver {
  #traffic: WriteStream | null = null;
  #quality: WriteStream | null = null;
  #events: WriteStream | null = null;

  private constructor(readonly dir: string) {}

  /**
   * Creates the folder and its traffic and event files, replacing any earlier
   * run's. `circuitIds` fixes the column order: the order the engine reports them in.
   */
  static async create(dir: string, circuitIds: readonly string[], options: { traffic: boolean } = { traffic: true }): Promise<TruthWriter> {
    await mkdir(dir, { recursive: true });
    const w = new TruthWriter(dir);
    w.#events = createWriteStream(join(dir, 'events.jsonl'));
    // A slot's rates for every circuit: a month of the demo city is over a gigabyte, so it can be left out.
    if (!options.traffic) return w;
    w.#traffic = createWriteStream(join(dir, 'traffic.csv'));
    const columns = circuitIds.flatMap((id) => TRUTH_COLUMNS.map((col) => `${id}:${col}`));
    w.#traffic.write(`start_ms,end_ms,${columns.join(',')}\n`);
    w.#quality = createWriteStream(join(dir, 'quality.csv'));
    w.#quality.write(`start_ms,end_ms,${circuitIds.flatMap((id) => QUALITY_COLUMNS.map((col) => `${id}:${col}`)).join(',')}\n`);
    return w;
  }

  async writeMeta(meta: TruthMeta): Promise<void> {
    await writeFile(join(this.dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }

  segment(startMs: number, endMs: number, circuits: readonly CircuitState[]): void {
    if (!this.#traffic) return;
    const values: number[] = [];
    for (const c of circuits) for (const f of RATE_FIELDS) values.push(c.rates[f]);
    this.#traffic?.write(`${startMs},${endMs},${values.join(',')}\n`);
    const q = circuits.flatMap((c) =>
      c.pathQuality ? [c.pathQuality.delayMs.toFixed(3), c.pathQuality.jitterMs.toFixed(3), c.pathQuality.lossPct.toFixed(3)] : ['', '', ''],
    );
    this.#quality?.write(`${startMs},${endMs},${q.join(',')}\n`);
  }

  linkChange(c: CircuitState, up: boolean, atMs: number, cause: string): void {
    this.event(atMs, { kind: up ? 'link-up' : 'link-down', circuit: c.circuit.id, cause });
  }

  rebootStart(d: DeviceState, atMs: number): void {
    this.event(atMs, { kind: 'reboot-start', device: d.device.id });
  }

  boot(d: DeviceState, atMs: number, renumbered: boolean): void {
    this.event(atMs, { kind: 'boot', device: d.device.id, renumbered });
  }

  faultStart(id: number, fault: Fault, atMs: number): void {
    this.event(atMs, { kind: 'fault-start', id, fault });
  }

  faultEnd(id: number, fault: Fault, atMs: number): void {
    this.event(atMs, { kind: 'fault-end', id, fault });
  }

  private event(atMs: number, e: TruthEvent): void {
    this.#events?.write(`${JSON.stringify({ ms: atMs, at: new Date(atMs).toISOString(), ...e })}\n`);
  }

  /** Flushes and closes the files. */
  async close(): Promise<void> {
    const end = (s: WriteStream | null) => new Promise<void>((res) => (s ? s.end(res) : res()));
    await Promise.all([end(this.#traffic), end(this.#quality), end(this.#events)]);
    this.#traffic = this.#quality = this.#events = null;
  }
}
