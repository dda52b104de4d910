/**
 * The network model: the one typed description of sites, devices and circuits
 * that every part of the product reads. Only `loadTopology` builds it, from
 * topology.yaml; nothing else parses that file or keeps a copy of it.
 */
import type { SecretRef } from '../secretRef.ts';
import { VENDOR_PROFILES } from '../vendors/vendorProfiles.ts';

export const SITE_LEVELS = ['province', 'city', 'county', 'department'] as const;
export type SiteLevel = (typeof SITE_LEVELS)[number];

export type Vendor = keyof typeof VENDOR_PROFILES;
export const VENDORS = Object.keys(VENDOR_PROFILES) as [Vendor, ...Vendor[]];

export const DEVICE_ROLES = ['core', 'exit', 'aggregation', 'county', 'cpe', 'provincial'] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

/** China's three carriers that lease digital circuits to government networks. */
export const CARRIERS = ['telecom', 'unicom', 'mobile'] as const;
export type Carrier = (typeof CARRIERS)[number];

export const CARRIER_NAMES: Record<Carrier, LocalizedName> = {
  telecom: { zh: '中国电信', en: 'China Telecom' },
  unicom: { zh: '中国联通', en: 'China Unicom' },
  mobile: { zh: '中国移动', en: 'China Mobile' },
};

export interface LocalizedName {
  zh: string;
  en: string;
}

export interface Contact {
  name: string;
  phone: string;
}

export interface NetworkInfo {
  id: string;
  name: LocalizedName;
  /** IANA zone used for office hours, report periods and displayed times. */
  timezone: string;
}

export interface Site {
  id: string;
  level: SiteLevel;
  name: LocalizedName;
  /** Approximate [longitude, latitude], WGS-84, for drawing the map. */
  location: readonly [number, number];
  parentId: string | null;
  contact: Contact | null;
  /** Derived: the nearest county-level ancestor (or the site itself), if any. */
  countyId: string | null;
  /** Derived: the nearest city-level ancestor (or the site itself), if any. */
  cityId: string | null;
}

export type SnmpProfile =
  | { name: string; version: '1' | '2c'; community: SecretRef }
  | {
      name: string;
      version: '3';
      username: string;
      level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
      authProtocol: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | null;
      authKey: SecretRef | null;
      privProtocol: 'des' | 'aes' | 'aes256b' | 'aes256r' | null;
      privKey: SecretRef | null;
    };

export interface Device {
  id: string;
  name: LocalizedName | null;
  siteId: string;
  role: DeviceRole;
  vendor: Vendor;
  model: string | null;
  /**
   * False for equipment we do not poll (the province's PE, a carrier's
   * router): it appears in the tree and as a circuit end, nothing more.
   */
  managed: boolean;
  /** Management address in the real network. Never a target outside production. */
  address: string | null;
  /** The agent's UDP port: 161 unless topology.yaml names another. */
  port: number;
  snmpProfile: string | null;
  pollIntervalSeconds: number;
}

/** How a circuit end names its interface: by a stable name, never by ifIndex. */
export interface InterfaceRef {
  by: 'ifName' | 'ifDescr' | 'ifAlias';
  value: string;
}

export type CircuitEnd = { kind: 'device'; deviceId: string; iface: InterfaceRef | null } | { kind: 'external'; name: LocalizedName };

export interface SlaTier {
  name: string;
  /** Target availability in percent, e.g. 99.9. */
  availabilityPct: number;
  utilizationWarnPct: number;
  utilizationCriticalPct: number;
  /** Quality limits the carrier promises (null: the contract names none). */
  quality: QualityLimits;
}

/** A leased line's promised quality: round-trip delay, loss and jitter. */
export interface QualityLimits {
  latencyMs: number | null;
  lossPct: number | null;
  jitterMs: number | null;
}

/**
 * How a circuit's far end is probed: ICMP echo through fping (real networks),
 * or UDP echo (RFC 862), which the simulator's devices answer on loopback.
 */
export const PROBE_METHODS = ['icmp', 'udp-echo'] as const;
export type ProbeMethod = (typeof PROBE_METHODS)[number];

export const UDP_ECHO_PORT = 7;

export interface CircuitProbe {
  /** The far end's address: the Z device's management address unless topology.yaml names another. */
  address: string;
  /** UDP port for udp-echo (7 unless the address names one); null for ICMP. */
  port: number | null;
  method: ProbeMethod;
  /** Packets per round, spread evenly over the interval. */
  count: number;
  intervalSeconds: number;
  /** The Z device whose address is probed, when the address is its. */
  deviceId: string | null;
}

/** Derived class of a circuit, from the level of the site at its far (Z) end. */
export type CircuitLevel = SiteLevel | 'external';

export interface Circuit {
  id: string;
  name: LocalizedName | null;
  carrier: Carrier;
  /** The carrier's own number for the circuit (电路编号), quoted when raising a fault. */
  carrierCircuitId: string;
  /** Contracted rate in bit/s. Not ifSpeed, which on a shaped leased line says nothing. */
  bandwidthBps: number;
  /** The end nearer the network control centre; the circuit hangs from it in the tree. */
  a: CircuitEnd & { kind: 'device' };
  z: CircuitEnd;
  slaTier: string;
  ownerSiteId: string;
  /** Derived: circuits whose Z end is this circuit's A device, i.e. the path upstream. */
  upstreamIds: readonly string[];
  level: CircuitLevel;
  /** How its quality is measured; null when it is not (probe: false, or a far end with no address). */
  probe: CircuitProbe | null;
}
