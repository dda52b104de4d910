/**
 * The simulated network's state and its discrete-event engine, in simulated
 * time. Between two boundaries (a traffic slot edge or a fault) every rate is
 * constant; at each boundary the engine adds rate × duration to every
 * interface's counters and reports the finished segment to the ground truth.
 * An SNMP read between boundaries adds the current rate × elapsed time, so a
 * counter always equals what the ground truth says it should.
 */
import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit, Device } from '../../shared/model/types.ts';
import type { Clock } from '../clock.ts';
import { hashString, unit } from '../traffic/random.ts';
import { utcOffsetSeconds } from '../../shared/time/zonedTime.ts';
import { offeredOctetsPerSecond, SLOT_SECONDS, trafficProfile, type TrafficProfile } from '../traffic/trafficModel.ts';
import { DEFAULT_REBOOT_DOWNTIME_S, type Fault } from './faults.ts';
import { deviceInterfaces, type CircuitEndName, type SimInterface } from './interfaces.ts';
import { baseQuality, followedBy, lineQuality, PERFECT, type Degradation, type LinkQuality } from './pathQuality.ts';

const SLOT_MS = SLOT_SECONDS * 1000;
const TWO_POW_40 = 2 ** 40;

/** Rates of one circuit during a segment: octets/s at each end's interface, and input errors/s. */
export interface CircuitRates {
  aIn: number;
  aOut: number;
  zIn: number;
  zOut: number;
  aInErrors: number;
  zInErrors: number;
}

export const RATE_FIELDS = ['aIn', 'aOut', 'zIn', 'zOut', 'aInErrors', 'zInErrors'] as const satisfies ReadonlyArray<keyof CircuitRates>;

export interface IfaceState {
  def: SimInterface;
  device: DeviceState;
  ifIndex: number;
  operUp: boolean;
  /** Simulated ms of the last oper status change. */
  lastChangeMs: number;
  /** Octets and errors counted since the counters were last reset, up to the segment start. */
  inOctets: number;
  outOctets: number;
  inErrors: number;
  /** Counter value at the last reset: a device that has been up for months is not at zero. */
  inBase: number;
  outBase: number;
  /** Simulated ms of the last counter discontinuity, or null if none since boot. */
  discontinuityMs: number | null;
  circuit: CircuitState | null;
}

export interface DeviceState {
  device: Device;
  interfaces: IfaceState[];
  byIfIndex: Map<number, IfaceState>;
  bootMs: number;
  rebooting: boolean;
  silentFaults: number;
  /** How many times ifIndex has been renumbered. */
  generation: number;
}

export interface CircuitState {
  circuit: Circuit;
  profile: TrafficProfile;
  a: IfaceState | null;
  z: IfaceState | null;
  aDevice: DeviceState | null;
  zDevice: DeviceState | null;
  up: boolean;
  downFaults: number;
  loss: { a2z: number[]; z2a: number[] };
  errors: { a: number[]; z: number[] };
  rates: CircuitRates;
  /** The line's own quality when idle and healthy, and the degrade faults on it. */
  baseQuality: LinkQuality;
  degradations: Degradation[];
  /** What an echo from the centre to the Z device sees now (the whole path); null when it cannot get there. */
  pathQuality: LinkQuality | null;
}

/** What the engine tells the outside world: the ground truth and the trap sender listen. */
export interface NetworkObserver {
  segment(startMs: number, endMs: number, circuits: readonly CircuitState[]): void;
  linkChange(circuit: CircuitState, up: boolean, atMs: number, cause: string): void;
  rebootStart(device: DeviceState, atMs: number): void;
  boot(device: DeviceState, atMs: number, renumbered: boolean): void;
  faultStart(id: number, fault: Fault, atMs: number): void;
  faultEnd(id: number, fault: Fault, atMs: number): void;
}

export interface CounterPreset {
  circuit: string;
  end: CircuitEndName;
  value: number;
}

export interface SimNetworkOptions {
  topology: Topology;
  clock: Clock;
  seed: number;
  observer: NetworkObserver;
  counterPresets?: readonly CounterPreset[];
}

interface Scheduled {
  at: number;
  seq: number;
  run: (at: number) => void;
}

export interface ActiveFault {
  id: number;
  fault: Fault;
  startMs: number;
  endMs: number | null;
}

export class SimNetwork {
  readonly devices = new Map<string, DeviceState>();
  readonly circuits: CircuitState[] = [];
  readonly active = new Map<number, ActiveFault>();
  readonly #clock: Clock;
  readonly #observer: NetworkObserver;
  readonly #utcOffset: number;
  readonly #seed: number;
  #segmentStart: number;
  /** Managed devices the network control centre cannot reach (every path to them is down). */
  #cutOff = new Set<DeviceState>();
  #pathTo = new Map<DeviceState, LinkQuality>();
  /** Per device, its circuits to other managed devices (it is their A end). */
  readonly #downlinks = new Map<DeviceState, CircuitState[]>();
  /** Devices reached over a circuit from another managed device: all but the cores. */
  readonly #hasUplink = new Set<DeviceState>();
  #queue: Scheduled[] = [];
  #seq = 0;
  #nextFaultId = 1;

  constructor(options: SimNetworkOptions) {
    const { topology, clock, seed } = options;
    this.#clock = clock;
    this.#observer = options.observer;
    this.#seed = seed;
    const start = clock.now();
    this.#segmentStart = start;
    this.#utcOffset = utcOffsetSeconds(topology.network.timezone, new Date(start));

    const managed = topology.devices.filter((d) => d.managed);
    managed.forEach((device, i) => {
      const s = (seed ^ hashString(device.id)) >>> 0;
      // A device that has been up between 3 and 180 days; its counters are wherever that left them.
      const uptimeMs = Math.floor((3 + unit(s, 1) * 177) * 86_400_000);
      const state: DeviceState = { device, interfaces: [], byIfIndex: new Map(), bootMs: start - uptimeMs, rebooting: false, silentFaults: 0, generation: 0 };
      state.interfaces = deviceInterfaces(topology, device, i === 5).map((def) => ({
        def,
        device: state,
        ifIndex: 0,
        operUp: def.adminUp,
        lastChangeMs: state.bootMs + Math.floor(unit(s, 100 + def.position) * uptimeMs),
        inOctets: 0,
        outOctets: 0,
        inErrors: 0,
        inBase: Math.floor(unit(s, 200 + def.position) * TWO_POW_40),
        outBase: Math.floor(unit(s, 300 + def.position) * TWO_POW_40),
        discontinuityMs: null,
        circuit: null,
      }));
      this.assignIfIndexes(state);
      this.devices.set(device.id, state);
    });

    for (const circuit of topology.circuits) {
      const endState = (end: CircuitEndName) => {
        const e = circuit[end];
        if (e.kind !== 'device') return { dev: null, iface: null };
        const dev = this.devices.get(e.deviceId) ?? null;
        const iface = dev?.interfaces.find((i) => i.def.circuit?.id === circuit.id && i.def.circuit.end === end) ?? null;
        return { dev, iface };
      };
      const a = endState('a');
      const z = endState('z');
      const state: CircuitState = {
        circuit,
        profile: trafficProfile(seed, circuit),
        a: a.iface,
        z: z.iface,
        aDevice: a.dev,
        zDevice: z.dev,
        up: true,
        downFaults: 0,
        loss: { a2z: [], z2a: [] },
        errors: { a: [], z: [] },
        rates: { aIn: 0, aOut: 0, zIn: 0, zOut: 0, aInErrors: 0, zInErrors: 0 },
        baseQuality: baseQuality(seed, circuit),
        degradations: [],
        pathQuality: null,
      };
      if (a.iface) a.iface.circuit = state;
      if (z.iface) z.iface.circuit = state;
      this.circuits.push(state);
      // Only a path from a managed device leads back to the NMS; the province's PE does not.
      if (a.dev && z.dev) {
        this.#downlinks.set(a.dev, [...(this.#downlinks.get(a.dev) ?? []), state]);
        this.#hasUplink.add(z.dev);
      }
    }

    for (const p of options.counterPresets ?? []) {
      const c = this.circuits.find((x) => x.circuit.id === p.circuit);
      const iface = c?.[p.end];
      if (!iface) throw new Error(`counter preset: circuit "${p.circuit}" has no simulated ${p.end} end`);
      iface.inBase = p.value;
      iface.outBase = p.value;
    }
    this.recomputeRates(start, false);
  }

  /** The simulated ms at which the current segment began. */
  get segmentStart(): number {
    return this.#segmentStart;
  }

  /** Simulated ms of the next boundary (slot edge or scheduled fault action). */
  nextBoundary(): number {
    const nextSlot = (Math.floor(this.#segmentStart / SLOT_MS) + 1) * SLOT_MS;
    return Math.min(nextSlot, this.#queue[0]?.at ?? Infinity);
  }

  /** Processes every boundary up to and including `target` (simulated ms). */
  advance(target: number = this.#clock.now()): void {
    for (;;) {
      const boundary = this.nextBoundary();
      if (boundary > target) return;
      this.closeSegment(boundary);
      while (this.#queue.length && this.#queue[0]!.at <= boundary) this.#queue.shift()!.run(boundary);
      this.recomputeRates(boundary, true);
    }
  }

  /** Records the traffic up to `atMs` without waiting for the next boundary (on shutdown). */
  flush(atMs: number = this.#clock.now()): void {
    this.advance(atMs);
    if (atMs > this.#segmentStart) {
      this.closeSegment(atMs);
      this.recomputeRates(atMs, true);
    }
  }

  /**
   * Starts a fault now. Validation against the topology is the caller's job.
   * @returns the fault's id and the simulated ms it took effect.
   */
  inject(fault: Fault): { id: number; atMs: number } {
    const now = Math.max(this.#clock.now(), this.#segmentStart);
    this.advance(now);
    const id = this.schedule(fault, now);
    this.advance(now);
    return { id, atMs: now };
  }

  /** Schedules a fault to start at simulated ms `at`; returns its id. */
  schedule(fault: Fault, at: number): number {
    const id = this.#nextFaultId++;
    this.at(at, (t) => this.start(id, fault, t));
    return id;
  }

  /**
   * Whether the device's agent answers nobody: rebooting, told to be silent,
   * or cut off, when every circuit that leads to it from the network control
   * centre is down (a county uplink down silences the county router and its
   * departments' CPE, as in the real network).
   */
  isSilent(device: DeviceState): boolean {
    return device.rebooting || device.silentFaults > 0 || this.#cutOff.has(device);
  }

  /**
   * Devices with no uplink from another managed device are where the NMS
   * sits (the cores); the rest are reachable while some uplink is up and its
   * A device is reachable. A rebooting device forwards nothing.
   */
  private recomputeReachability(): void {
    const reachable = new Set<DeviceState>();
    // Breadth first, so each device's path quality is that of its shortest path from the centre.
    const pending = [...this.devices.values()].filter((d) => !this.#hasUplink.has(d) && !d.rebooting);
    this.#pathTo = new Map(pending.map((d) => [d, PERFECT]));
    for (const d of pending) reachable.add(d);
    while (pending.length) {
      const from = pending.shift()!;
      for (const c of this.#downlinks.get(from) ?? []) {
        if (!c.up || !c.zDevice || c.zDevice.rebooting || reachable.has(c.zDevice)) continue;
        reachable.add(c.zDevice);
        pending.push(c.zDevice);
        this.#pathTo.set(c.zDevice, followedBy(this.#pathTo.get(from)!, this.lineNow(c)));
      }
    }
    this.#cutOff = new Set([...this.devices.values()].filter((d) => !reachable.has(d) && !d.rebooting));
    for (const c of this.circuits) c.pathQuality = c.zDevice && !this.isSilent(c.zDevice) ? (this.#pathTo.get(c.zDevice) ?? null) : null;
  }

  /** What an echo from the centre to this device sees now, or null when it goes unanswered. */
  pathQuality(device: DeviceState): LinkQuality | null {
    return this.isSilent(device) ? null : (this.#pathTo.get(device) ?? null);
  }

  /** A line's quality under its current load and faults. */
  private lineNow(c: CircuitState): LinkQuality {
    const loadBps = Math.max(c.rates.aOut, c.rates.zOut) * 8;
    return lineQuality(c.baseQuality, c.circuit.bandwidthBps, loadBps / c.circuit.bandwidthBps, c.degradations);
  }

  /** sysUpTime in hundredths of a second, as a device reports it (wrapping at 2^32). */
  sysUpTime(device: DeviceState, atMs: number): number {
    return Math.floor(Math.max(0, atMs - device.bootMs) / 10) % 2 ** 32;
  }

  /** Octets and errors counted on an interface at simulated ms `atMs` (≥ the segment start), as unbounded numbers. */
  counters(iface: IfaceState, atMs: number): { inOctets: number; outOctets: number; inErrors: number } {
    const dt = Math.max(0, atMs - this.#segmentStart) / 1000;
    const r = this.ratesOf(iface);
    return {
      inOctets: iface.inBase + Math.floor(iface.inOctets + r.in * dt),
      outOctets: iface.outBase + Math.floor(iface.outOctets + r.out * dt),
      inErrors: Math.floor(iface.inErrors + r.inErrors * dt),
    };
  }

  private ratesOf(iface: IfaceState): { in: number; out: number; inErrors: number } {
    const c = iface.circuit;
    if (!c) return { in: 0, out: 0, inErrors: 0 };
    const r = c.rates;
    return iface.def.circuit!.end === 'a' ? { in: r.aIn, out: r.aOut, inErrors: r.aInErrors } : { in: r.zIn, out: r.zOut, inErrors: r.zInErrors };
  }

  private at(at: number, run: (t: number) => void): void {
    const item = { at, seq: this.#seq++, run };
    const i = this.#queue.findIndex((q) => q.at > at);
    if (i < 0) this.#queue.push(item);
    else this.#queue.splice(i, 0, item);
  }

  private closeSegment(end: number): void {
    const start = this.#segmentStart;
    const dt = (end - start) / 1000;
    if (dt > 0) {
      for (const c of this.circuits) {
        for (const iface of [c.a, c.z]) {
          if (!iface) continue;
          const r = this.ratesOf(iface);
          iface.inOctets += r.in * dt;
          iface.outOctets += r.out * dt;
          iface.inErrors += r.inErrors * dt;
        }
      }
      this.#observer.segment(start, end, this.circuits);
    }
    this.#segmentStart = end;
  }

  private recomputeRates(t: number, notify: boolean): void {
    const slot = Math.floor(t / SLOT_MS);
    const changes: Array<{ c: CircuitState; up: boolean; cause: string }> = [];
    for (const c of this.circuits) {
      const aDown = c.aDevice?.rebooting ?? false;
      const zDown = c.zDevice?.rebooting ?? false;
      const up = c.downFaults === 0 && !aDown && !zDown;
      if (up !== c.up) {
        c.up = up;
        for (const iface of [c.a, c.z]) {
          if (iface) {
            iface.operUp = up;
            iface.lastChangeMs = t;
          }
        }
        if (notify) {
          const cause =
            c.downFaults > 0 ? 'link fault' : aDown ? `reboot of ${c.aDevice!.device.id}` : zDown ? `reboot of ${c.zDevice!.device.id}` : 'restored';
          changes.push({ c, up, cause });
        }
      }
      const a2z = up ? offeredOctetsPerSecond(c.profile, 'a2z', slot, this.#utcOffset) : 0;
      const z2a = up ? offeredOctetsPerSecond(c.profile, 'z2a', slot, this.#utcOffset) : 0;
      const kept = (losses: number[]) => 1 - Math.max(0, ...losses) / 100;
      const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
      c.rates = {
        aOut: a2z,
        zIn: Math.round(a2z * kept(c.loss.a2z)),
        zOut: z2a,
        aIn: Math.round(z2a * kept(c.loss.z2a)),
        aInErrors: up ? sum(c.errors.a) : 0,
        zInErrors: up ? sum(c.errors.z) : 0,
      };
    }
    // Who is cut off is settled before anyone hears of a change: a device cut off by this
    // change cannot send a trap about it.
    this.recomputeReachability();
    for (const { c, up, cause } of changes) this.#observer.linkChange(c, up, t, cause);
  }

  private assignIfIndexes(device: DeviceState): void {
    // Generation 0 numbers ports 1..n in order; a renumbering reboot shuffles them
    // and moves them up, as a line-card change or software upgrade does.
    const n = device.interfaces.length;
    const s = (this.#seed ^ hashString(device.device.id) ^ device.generation) >>> 0;
    const order = device.interfaces.map((_, i) => i);
    if (device.generation > 0) order.sort((x, y) => unit(s, x) - unit(s, y));
    device.byIfIndex.clear();
    order.forEach((pos, k) => {
      const iface = device.interfaces[pos]!;
      iface.ifIndex = device.generation * 100 + k + 1 + (device.generation > 0 ? n : 0);
      device.byIfIndex.set(iface.ifIndex, iface);
    });
  }

  private start(id: number, fault: Fault, t: number): void {
    const endAt = (seconds: number | undefined, end: (t: number) => void) => {
      const entry: ActiveFault = { id, fault, startMs: t, endMs: seconds === undefined ? null : t + seconds * 1000 };
      this.active.set(id, entry);
      this.#observer.faultStart(id, fault, t);
      if (entry.endMs !== null) {
        this.at(entry.endMs, (te) => {
          end(te);
          this.active.delete(id);
          this.#observer.faultEnd(id, fault, te);
        });
      }
    };
    const circuit = 'circuit' in fault ? this.circuits.find((c) => c.circuit.id === fault.circuit)! : null;
    const device = 'device' in fault ? this.devices.get(fault.device)! : null;
    switch (fault.fault) {
      case 'link-down':
        circuit!.downFaults++;
        endAt(fault.for, () => (circuit!.downFaults = Math.max(0, circuit!.downFaults - 1)));
        break;
      case 'link-up':
        circuit!.downFaults = 0;
        this.endOpen((f) => f.fault === 'link-down' && f.circuit === fault.circuit, t);
        this.#observer.faultStart(id, fault, t);
        break;
      case 'flap': {
        const half = (fault.period * 1000) / 2;
        endAt(fault.period * fault.count, () => undefined);
        for (let k = 0; k < fault.count; k++) {
          this.at(t + k * 2 * half, () => circuit!.downFaults++);
          this.at(t + (k * 2 + 1) * half, () => (circuit!.downFaults = Math.max(0, circuit!.downFaults - 1)));
        }
        break;
      }
      case 'unreachable':
        device!.silentFaults++;
        endAt(fault.for, () => (device!.silentFaults = Math.max(0, device!.silentFaults - 1)));
        break;
      case 'reachable':
        device!.silentFaults = 0;
        this.endOpen((f) => f.fault === 'unreachable' && f.device === fault.device, t);
        this.#observer.faultStart(id, fault, t);
        break;
      case 'reboot': {
        const downtime = fault.downtime ?? DEFAULT_REBOOT_DOWNTIME_S;
        device!.rebooting = true;
        this.#observer.rebootStart(device!, t);
        endAt(downtime, (te) => this.boot(device!, te, fault.renumber ?? false));
        break;
      }
      case 'counter-reset':
        for (const iface of device!.interfaces) this.resetCounters(iface, t);
        this.#observer.faultStart(id, fault, t);
        break;
      case 'loss': {
        const dirs = fault.direction === 'both' || fault.direction === undefined ? (['a2z', 'z2a'] as const) : [fault.direction];
        for (const d of dirs) circuit!.loss[d].push(fault.percent);
        endAt(fault.for, () => {
          for (const d of dirs) removeOne(circuit!.loss[d], fault.percent);
        });
        break;
      }
      case 'degrade': {
        const d: Degradation = { lossPct: fault.loss ?? 0, delayMs: fault.delay ?? 0, jitterMs: fault.jitter ?? 0 };
        circuit!.degradations.push(d);
        endAt(fault.for, () => circuit!.degradations.splice(circuit!.degradations.indexOf(d), 1));
        break;
      }
      case 'errors':
        circuit!.errors[fault.end].push(fault.perSecond);
        endAt(fault.for, () => removeOne(circuit!.errors[fault.end], fault.perSecond));
        break;
    }
  }

  /** Ends open-ended faults matched by `match` (a link-up ends every link-down on its circuit). */
  private endOpen(match: (f: Fault) => boolean, t: number): void {
    for (const [id, entry] of this.active) {
      if (match(entry.fault)) {
        this.active.delete(id);
        this.#observer.faultEnd(id, entry.fault, t);
      }
    }
  }

  private boot(device: DeviceState, t: number, renumber: boolean): void {
    device.rebooting = false;
    device.bootMs = t;
    for (const iface of device.interfaces) {
      this.resetCounters(iface, t);
      // A fresh boot has no discontinuity to report: sysUpTime itself restarted.
      iface.discontinuityMs = null;
      iface.lastChangeMs = t;
    }
    if (renumber) {
      device.generation++;
      this.assignIfIndexes(device);
    }
    this.#observer.boot(device, t, renumber);
  }

  private resetCounters(iface: IfaceState, t: number): void {
    iface.inOctets = 0;
    iface.outOctets = 0;
    iface.inErrors = 0;
    iface.inBase = 0;
    iface.outBase = 0;
    iface.discontinuityMs = t;
  }
}

function removeOne(list: number[], value: number): void {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
}
