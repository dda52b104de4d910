/**
 * The latest state of every circuit and device, in process. The collectors
 * update it after each poll; the alarm engine and the console subscribe to it
 * rather than polling InfluxDB for what is happening now.
 */
import type { QualityBreach, QualityRound } from '../quality/circuitQuality.ts';

export type LinkStatus = 'up' | 'down' | 'unknown';

export interface CircuitLive {
  circuitId: string;
  status: LinkStatus;
  /** Rates as seen at the A end (in = Z→A), bit/s; null until two readings exist. */
  inBps: number | null;
  outBps: number | null;
  inUtilPct: number | null;
  outUtilPct: number | null;
  /**
   * When the current oper status began, from the interface's ifLastChange
   * against sysUpTime (10 ms resolution); null when the device cannot say.
   */
  statusSinceMs: number | null;
  /** Errors and discards, both directions, per second; null until two readings exist. */
  errorsPerS: number | null;
  /** Which end was measured. */
  end: 'a' | 'z';
  /**
   * When the poll that saw this began (or the trap arrived): the state is at
   * least this new. A reply that comes back late is ordered by this, so it
   * cannot undo a trap that came in while it was on its way.
   */
  polledFromMs: number;
  updatedAtMs: number;
  /** Why the last sample was not used, if it was not (reset, impossible rate, unreachable). */
  note: string | null;
}

export interface DeviceLive {
  deviceId: string;
  reachable: boolean;
  responseMs: number | null;
  cpuPct: number | null;
  memPct: number | null;
  uptimeS: number | null;
  /** When the poll that found this began: a silent device was silent from then at least. */
  polledFromMs: number;
  updatedAtMs: number;
  error: string | null;
}

/** How current the live state is: what a screen needs to judge its own age. */
export interface LiveFreshness {
  /** When (server clock) the last poll result or trap reached the live state; null before the first. */
  lastUpdateMs: number | null;
  /** The shortest poll interval configured: results should never be further apart than this. */
  pollIntervalMs: number;
}

/** Sent over the WebSocket between batches (server/http/liveFeed.ts), read by the console. */
export interface LiveHeartbeat extends LiveFreshness {
  type: 'heartbeat';
  seq: number;
  /** The server's clock when sent: the page compares lastUpdateMs with it, never with its own clock. */
  atMs: number;
}

/** A circuit's latest probe round, with the collector's verdict on it. */
export interface QualityLive extends QualityRound {
  /** The SLA limits the round broke while the circuit was up (empty: within its SLA, or down). */
  breaches: QualityBreach[];
  /** The circuit or its path was down at some moment of the round: its losses are the outage's. */
  downDuring: boolean;
}

export type LiveEvent = { kind: 'circuit'; circuit: CircuitLive } | { kind: 'device'; device: DeviceLive } | { kind: 'quality'; quality: QualityLive };

export class LiveState {
  readonly circuits = new Map<string, CircuitLive>();
  readonly devices = new Map<string, DeviceLive>();
  readonly quality = new Map<string, QualityLive>();
  readonly #listeners = new Set<(e: LiveEvent) => void>();

  /** Calls `listener` on every update; returns the function that unsubscribes it. */
  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  updateCircuit(c: CircuitLive): void {
    this.circuits.set(c.circuitId, c);
    this.emit({ kind: 'circuit', circuit: c });
  }

  updateDevice(d: DeviceLive): void {
    this.devices.set(d.deviceId, d);
    this.emit({ kind: 'device', device: d });
  }

  updateQuality(q: QualityLive): void {
    this.quality.set(q.circuitId, q);
    this.emit({ kind: 'quality', quality: q });
  }

  /** Forgets what is known of circuits and devices a new model no longer has (`nms reload`). */
  retain(circuits: ReadonlySet<string>, devices: ReadonlySet<string>): void {
    for (const id of this.circuits.keys()) if (!circuits.has(id)) this.circuits.delete(id);
    for (const id of this.quality.keys()) if (!circuits.has(id)) this.quality.delete(id);
    for (const id of this.devices.keys()) if (!devices.has(id)) this.devices.delete(id);
  }

  private emit(e: LiveEvent): void {
    for (const l of this.#listeners) {
      // One failing subscriber must not stop the others, nor the collector.
      try {
        l(e);
      } catch {
        // the subscriber owns its errors
      }
    }
  }
}
