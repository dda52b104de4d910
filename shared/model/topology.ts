/**
 * The loaded network model with its indexes and derived relations. Built only
 * by loadTopology; frozen, so no part of the product can change the shared model.
 */
import type { Circuit, Device, NetworkInfo, Site, SlaTier, SnmpProfile } from './types.ts';

export class Topology {
  readonly siteById: ReadonlyMap<string, Site>;
  readonly deviceById: ReadonlyMap<string, Device>;
  readonly circuitById: ReadonlyMap<string, Circuit>;
  readonly #childSites = new Map<string, Site[]>();
  readonly #circuitsByDevice = new Map<string, Circuit[]>();
  readonly #circuitsByOwner = new Map<string, Circuit[]>();

  constructor(
    /** The file the model was loaded from, for messages. */
    readonly source: string,
    readonly network: NetworkInfo,
    readonly sites: readonly Site[],
    readonly devices: readonly Device[],
    readonly circuits: readonly Circuit[],
    readonly snmpProfiles: ReadonlyMap<string, SnmpProfile>,
    readonly slaTiers: ReadonlyMap<string, SlaTier>,
  ) {
    this.siteById = new Map(sites.map((s) => [s.id, s]));
    this.deviceById = new Map(devices.map((d) => [d.id, d]));
    this.circuitById = new Map(circuits.map((c) => [c.id, c]));
    for (const s of sites) {
      if (s.parentId !== null) push(this.#childSites, s.parentId, s);
    }
    for (const c of circuits) {
      push(this.#circuitsByOwner, c.ownerSiteId, c);
      push(this.#circuitsByDevice, c.a.deviceId, c);
      if (c.z.kind === 'device' && c.z.deviceId !== c.a.deviceId) push(this.#circuitsByDevice, c.z.deviceId, c);
    }
    deepFreeze(this);
  }

  /** Sites without a parent, in file order. */
  roots(): Site[] {
    return this.sites.filter((s) => s.parentId === null);
  }

  children(siteId: string): readonly Site[] {
    return this.#childSites.get(siteId) ?? [];
  }

  /** Circuits with an end on this device. */
  circuitsOnDevice(deviceId: string): readonly Circuit[] {
    return this.#circuitsByDevice.get(deviceId) ?? [];
  }

  /** Circuits whose owning department (or county) is this site. */
  circuitsOwnedBy(siteId: string): readonly Circuit[] {
    return this.#circuitsByOwner.get(siteId) ?? [];
  }

  /** @throws Error when no site has this id. */
  site(id: string): Site {
    return getOrThrow(this.siteById, id, 'site', this.source);
  }

  /** @throws Error when no device has this id. */
  device(id: string): Device {
    return getOrThrow(this.deviceById, id, 'device', this.source);
  }

  /** @throws Error when no circuit has this id. */
  circuit(id: string): Circuit {
    return getOrThrow(this.circuitById, id, 'circuit', this.source);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function getOrThrow<V>(map: ReadonlyMap<string, V>, id: string, kind: string, source: string): V {
  const value = map.get(id);
  if (value === undefined) throw new Error(`${source}: no ${kind} with id "${id}"`);
  return value;
}

function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v, seen);
  } else {
    for (const v of Object.values(value)) deepFreeze(v, seen);
  }
  Object.freeze(value);
}
