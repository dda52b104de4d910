import { HOST_RESOURCES_HEALTH } from '../snmp/oids.ts';
import type { VendorProfile } from './vendorProfile.ts';

/** Anything else that runs a standard agent (Net-SNMP on Linux): HOST-RESOURCES-MIB for health. */
export const generic: VendorProfile = {
  enterpriseOid: '1.3.6.1.4.1.8072',
  objectIds: {},
  defaultObjectId: '1.3.6.1.4.1.8072.3.2.10',
  sysDescr: (model) => `Linux router ${model} 5.10.0 #1 SMP x86_64`,
  spareInterfaces: { management: 'eth0', spare: 'eth9', loopback: 'lo', nullIf: 'null0' },
  health: HOST_RESOURCES_HEALTH,
  hostResources: true,
  hcMinSpeedBps: 0,
};
