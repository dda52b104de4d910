/**
 * Which parts of the network depend on which: the province → city → county →
 * department tree as paths from the network control centre. Pure, from the
 * model alone. The NMS reaches a device over the circuits that lead to it
 * from other managed devices (its uplinks); devices with no such uplink (the
 * cores, the exit router) are where the NMS sits.
 */
import type { Circuit } from '../../shared/model/types.ts';
import type { Topology } from '../../shared/model/topology.ts';

export interface Impact {
  /** Circuits whose service the fault takes down, the faulted circuit itself excluded. */
  circuits: string[];
  /** Owners of those circuits (departments, counties), in topology order. */
  sites: string[];
  /** Managed devices the fault cuts off from the NMS. */
  devices: string[];
}

export class ImpactTree {
  /** Per managed device, the circuits that reach it from another managed device. */
  readonly #uplinks = new Map<string, Circuit[]>();
  /** Per managed device, its circuits towards other managed devices. */
  readonly #downlinks = new Map<string, Circuit[]>();
  readonly #cache = new Map<string, Impact>();

  constructor(readonly topology: Topology) {
    const managed = new Set(topology.devices.filter((d) => d.managed).map((d) => d.id));
    for (const c of topology.circuits) {
      if (c.z.kind !== 'device' || !managed.has(c.a.deviceId) || !managed.has(c.z.deviceId)) continue;
      push(this.#uplinks, c.z.deviceId, c);
      push(this.#downlinks, c.a.deviceId, c);
    }
  }

  /** Circuits that lead to the device from other managed devices; none for the cores. */
  uplinksOf(deviceId: string): readonly Circuit[] {
    return this.#uplinks.get(deviceId) ?? [];
  }

  downlinksOf(deviceId: string): readonly Circuit[] {
    return this.#downlinks.get(deviceId) ?? [];
  }

  /** Where the NMS sits: managed devices with no uplink. */
  isRoot(deviceId: string): boolean {
    return !this.#uplinks.has(deviceId);
  }

  /**
   * Managed devices the NMS can reach when the given circuits and devices
   * are down (a device that is down forwards nothing).
   */
  reachable(downCircuits: ReadonlySet<string>, downDevices: ReadonlySet<string>): Set<string> {
    const seen = new Set<string>();
    const pending: string[] = [];
    for (const d of this.topology.devices) {
      if (d.managed && this.isRoot(d.id) && !downDevices.has(d.id)) {
        seen.add(d.id);
        pending.push(d.id);
      }
    }
    while (pending.length) {
      for (const c of this.downlinksOf(pending.pop()!)) {
        const z = (c.z as { deviceId: string }).deviceId;
        if (downCircuits.has(c.id) || downDevices.has(z) || seen.has(z)) continue;
        seen.add(z);
        pending.push(z);
      }
    }
    return seen;
  }

  /** What a circuit going down takes with it, with everything else up. */
  ofCircuit(circuitId: string): Impact {
    return this.cached(`c:${circuitId}`, () => this.impact(new Set([circuitId]), new Set(), circuitId));
  }

  /** What a device going down takes with it: its own circuits and everything behind them. */
  ofDevice(deviceId: string): Impact {
    return this.cached(`d:${deviceId}`, () => this.impact(new Set(), new Set([deviceId]), null));
  }

  private impact(downCircuits: Set<string>, downDevices: Set<string>, self: string | null): Impact {
    const up = this.reachable(downCircuits, downDevices);
    const lost = (id: string) => !up.has(id) && this.topology.device(id).managed;
    const circuits = this.topology.circuits.filter(
      (c) => c.id !== self && (lost(c.a.deviceId) || (c.z.kind === 'device' && this.topology.device(c.z.deviceId).managed && lost(c.z.deviceId))),
    );
    const sites: string[] = [];
    for (const c of circuits) if (!sites.includes(c.ownerSiteId)) sites.push(c.ownerSiteId);
    const devices = this.topology.devices.filter((d) => d.managed && lost(d.id)).map((d) => d.id);
    return { circuits: circuits.map((c) => c.id), sites, devices };
  }

  private cached(key: string, make: () => Impact): Impact {
    let v = this.#cache.get(key);
    if (!v) this.#cache.set(key, (v = make()));
    return v;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
