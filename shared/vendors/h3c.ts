import type { VendorProfile } from './vendorProfile.ts';

/** H3C Comware routers (SR8800, MSR). */
export const h3c: VendorProfile = {
  enterpriseOid: '1.3.6.1.4.1.25506',
  objectIds: {
    SR8808: '1.3.6.1.4.1.25506.1.362',
    'MSR36-20': '1.3.6.1.4.1.25506.1.1014',
    'MSR20-20': '1.3.6.1.4.1.25506.1.310',
  },
  defaultObjectId: '1.3.6.1.4.1.25506.1',
  sysDescr: (model) =>
    `H3C Comware Platform Software\r\nComware Software, Version 7.1.064, Release 0821P16\r\nCopyright (c) 2004-2018 New H3C Technologies Co., Ltd. All rights reserved.\r\nH3C ${model}`,
  spareInterfaces: { management: 'M-GigabitEthernet0/0/0', spare: 'GigabitEthernet0/9', loopback: 'LoopBack0', nullIf: 'NULL0' },
  // HH3C-ENTITY-EXT-MIB hh3cEntityExtCpuUsage / hh3cEntityExtMemUsage on the main board entity.
  health: {
    cpuPct: '1.3.6.1.4.1.25506.2.6.1.1.1.1.6.8',
    memory: { kind: 'pct', oid: '1.3.6.1.4.1.25506.2.6.1.1.1.1.8.8' },
  },
  hostResources: false,
  hcMinSpeedBps: 0,
};
