import type { VendorProfile } from './vendorProfile.ts';

/** Cisco IOS branch routers (2800, 2900). */
export const cisco: VendorProfile = {
  enterpriseOid: '1.3.6.1.4.1.9',
  objectIds: { 'Cisco 2811': '1.3.6.1.4.1.9.1.576', 'Cisco 2901': '1.3.6.1.4.1.9.1.1047' },
  defaultObjectId: '1.3.6.1.4.1.9.1.1',
  sysDescr: () =>
    'Cisco IOS Software, 2800 Software (C2800NM-ADVIPSERVICESK9-M), Version 15.1(4)M12a, RELEASE SOFTWARE (fc1)\r\n' +
    'Technical Support: http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2016 by Cisco Systems, Inc.',
  spareInterfaces: { management: 'FastEthernet0/0', spare: 'FastEthernet0/1', loopback: 'Loopback0', nullIf: 'Null0' },
  // CISCO-PROCESS-MIB cpmCPUTotal5minRev; CISCO-MEMORY-POOL-MIB processor pool used/free (bytes).
  health: {
    cpuPct: '1.3.6.1.4.1.9.9.109.1.1.1.1.8.1',
    memory: { kind: 'usedFree', used: '1.3.6.1.4.1.9.9.48.1.1.1.5.1', free: '1.3.6.1.4.1.9.9.48.1.1.1.6.1' },
  },
  hostResources: false,
  hcMinSpeedBps: 20_000_000,
};
