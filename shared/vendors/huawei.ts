import type { VendorProfile } from './vendorProfile.ts';

/** Huawei VRP routers (NE40E, NE20E, AR). */
export const huawei: VendorProfile = {
  enterpriseOid: '1.3.6.1.4.1.2011',
  objectIds: {
    'NE40E-X8': '1.3.6.1.4.1.2011.2.62.2.9',
    'NE40E-X16': '1.3.6.1.4.1.2011.2.62.2.5',
    'NE20E-S8': '1.3.6.1.4.1.2011.2.62.2.24',
    AR2240: '1.3.6.1.4.1.2011.2.224.36',
    AR1220: '1.3.6.1.4.1.2011.2.224.67',
  },
  defaultObjectId: '1.3.6.1.4.1.2011.2.224',
  sysDescr: (model) =>
    `Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 8.180 (${model} V800R011C10SPC100)\r\nCopyright (C) 2012-2018 Huawei Technologies Co., Ltd.\r\nHUAWEI ${model}`,
  spareInterfaces: { management: 'MEth0/0/1', spare: 'GigabitEthernet0/0/9', loopback: 'LoopBack0', nullIf: 'NULL0' },
  // HUAWEI-ENTITY-EXTENT-MIB hwEntityCpuUsage / hwEntityMemUsage; 67108867 is the main board on VRP routers.
  health: {
    cpuPct: '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.67108867',
    memory: { kind: 'pct', oid: '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.67108867' },
  },
  hostResources: false,
  hcMinSpeedBps: 0,
};
