import { HOST_RESOURCES_HEALTH } from '../snmp/oids.ts';
import type { VendorProfile } from './vendorProfile.ts';

/**
 * ZTE ZXR10 routers. Health is read from the standard HOST-RESOURCES-MIB:
 * ZTE's private ZXR10 OIDs are not used (not verified here), and a device
 * that serves neither shows no CPU.
 */
export const zte: VendorProfile = {
  enterpriseOid: '1.3.6.1.4.1.3902',
  objectIds: { 'ZXR10 1800': '1.3.6.1.4.1.3902.3.100.18' },
  defaultObjectId: '1.3.6.1.4.1.3902.3',
  sysDescr: (model) =>
    `ZXR10 ROS Version V4.08.23 ${model} Software, Version ZXR10 ${model} V2.6.03, RELEASE SOFTWARE\r\nCopyright (c) 2000-2013 by ZTE Corporation`,
  spareInterfaces: { management: 'mng1', spare: 'gei_0/9', loopback: 'loopback1', nullIf: 'null1' },
  health: HOST_RESOURCES_HEALTH,
  hostResources: true,
  hcMinSpeedBps: 0,
};
