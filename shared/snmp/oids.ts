/**
 * The standard OIDs the product reads, in one place: the simulator serves
 * them and the collectors poll them. What differs by vendor is in
 * shared/vendors/.
 */
import type { HealthOids } from '../vendors/vendorProfile.ts';

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

/** HOST-RESOURCES-MIB's first processor and storage row: where a standard agent's health is looked for before walking. */
export const HOST_RESOURCES_HEALTH = {
  cpuPct: '1.3.6.1.2.1.25.3.3.1.2.1',
  memory: { kind: 'usedSize', used: '1.3.6.1.2.1.25.2.3.1.6.1', size: '1.3.6.1.2.1.25.2.3.1.5.1', unit: '1.3.6.1.2.1.25.2.3.1.4.1' },
} as const satisfies HealthOids;
