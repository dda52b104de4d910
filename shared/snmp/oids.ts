/**
 * The OIDs the product reads, in one place: the simulator serves them and the
 * collectors poll them. Vendor CPU and memory OIDs are data, chosen per
 * vendor, never a code path.
 */

export const SYSTEM = {
  sysDescr: '1.3.6.1.2.1.1.1',
  sysObjectID: '1.3.6.1.2.1.1.2',
  sysUpTime: '1.3.6.1.2.1.1.3',
  sysContact: '1.3.6.1.2.1.1.4',
  sysName: '1.3.6.1.2.1.1.5',
  sysLocation: '1.3.6.1.2.1.1.6',
} as const;

export const IF_NUMBER = '1.3.6.1.2.1.2.1';

/** IF-MIB ifTable (1.3.6.1.2.1.2.2.1): column numbers. */
export const IF_TABLE = '1.3.6.1.2.1.2.2.1';
export const IF_COLUMNS = {
  ifIndex: 1,
  ifDescr: 2,
  ifType: 3,
  ifMtu: 4,
  ifSpeed: 5,
  ifPhysAddress: 6,
  ifAdminStatus: 7,
  ifOperStatus: 8,
  ifLastChange: 9,
  ifInOctets: 10,
  ifInUcastPkts: 11,
  ifInDiscards: 13,
  ifInErrors: 14,
  ifOutOctets: 16,
  ifOutUcastPkts: 17,
  ifOutDiscards: 19,
  ifOutErrors: 20,
} as const;

/** IF-MIB ifXTable (1.3.6.1.2.1.31.1.1.1): column numbers. */
export const IFX_TABLE = '1.3.6.1.2.1.31.1.1.1';
export const IFX_COLUMNS = {
  ifName: 1,
  ifHCInOctets: 6,
  ifHCInUcastPkts: 7,
  ifHCOutOctets: 10,
  ifHCOutUcastPkts: 11,
  ifHighSpeed: 15,
  ifAlias: 18,
  ifCounterDiscontinuityTime: 19,
} as const;

/** Notifications (SNMPv2-MIB / IF-MIB). */
export const TRAPS = {
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  linkDown: '1.3.6.1.6.3.1.1.5.3',
  linkUp: '1.3.6.1.6.3.1.1.5.4',
  /** snmpTrapAddress.0: the device's own address, for traps that arrive via a proxy or NAT. */
  snmpTrapAddress: '1.3.6.1.6.3.18.1.3.0',
} as const;

/** IF-MIB status codes. */
export const IF_STATUS = { up: 1, down: 2, testing: 3 } as const;

/**
 * Where each vendor reports CPU and memory load. `index` is the instance a
 * real device uses for its main board; `memory` is either a percentage OID or
 * a used/free (or used/size) pair the collector turns into a percentage.
 */
export interface HealthOids {
  cpuPct: string;
  memory: { kind: 'pct'; oid: string } | { kind: 'usedFree'; used: string; free: string } | { kind: 'usedSize'; used: string; size: string; unit: string };
}

/**
 * HOST-RESOURCES-MIB is found by walking, as the MIB intends: every
 * hrProcessorLoad instance (averaged), and the hrStorage row whose type is RAM.
 */
export const HOST_RESOURCES_DISCOVERY = {
  processorLoadColumn: '1.3.6.1.2.1.25.3.3.1.2',
  storageTypeColumn: '1.3.6.1.2.1.25.2.3.1.2',
  storageRamType: '1.3.6.1.2.1.25.2.1.2',
  storageEntry: '1.3.6.1.2.1.25.2.3.1',
  storageColumns: { unit: 4, size: 5, used: 6 },
} as const;

export const VENDOR_HEALTH_OIDS = {
  // HUAWEI-ENTITY-EXTENT-MIB hwEntityCpuUsage / hwEntityMemUsage; 67108867 is the main board on VRP routers.
  huawei: {
    cpuPct: '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.67108867',
    memory: { kind: 'pct', oid: '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.67108867' },
  },
  // HH3C-ENTITY-EXT-MIB hh3cEntityExtCpuUsage / hh3cEntityExtMemUsage on the main board entity.
  h3c: {
    cpuPct: '1.3.6.1.4.1.25506.2.6.1.1.1.1.6.8',
    memory: { kind: 'pct', oid: '1.3.6.1.4.1.25506.2.6.1.1.1.1.8.8' },
  },
  // CISCO-PROCESS-MIB cpmCPUTotal5minRev; CISCO-MEMORY-POOL-MIB processor pool used/free (bytes).
  cisco: {
    cpuPct: '1.3.6.1.4.1.9.9.109.1.1.1.1.8.1',
    memory: { kind: 'usedFree', used: '1.3.6.1.4.1.9.9.48.1.1.1.5.1', free: '1.3.6.1.4.1.9.9.48.1.1.1.6.1' },
  },
  // ZTE and others: the standard HOST-RESOURCES-MIB (hrProcessorLoad, hrStorage RAM row). ZTE's
  // private ZXR10 OIDs are not used (not verified here); a device that serves neither shows no CPU.
  zte: {
    cpuPct: '1.3.6.1.2.1.25.3.3.1.2.1',
    memory: { kind: 'usedSize', used: '1.3.6.1.2.1.25.2.3.1.6.1', size: '1.3.6.1.2.1.25.2.3.1.5.1', unit: '1.3.6.1.2.1.25.2.3.1.4.1' },
  },
  generic: {
    cpuPct: '1.3.6.1.2.1.25.3.3.1.2.1',
    memory: { kind: 'usedSize', used: '1.3.6.1.2.1.25.2.3.1.6.1', size: '1.3.6.1.2.1.25.2.3.1.5.1', unit: '1.3.6.1.2.1.25.2.3.1.4.1' },
  },
} as const satisfies Record<string, HealthOids>;
