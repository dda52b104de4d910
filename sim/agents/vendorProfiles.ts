/**
 * How each vendor's devices introduce themselves and name their spare ports:
 * data, not code paths. sysDescr and sysObjectID follow what the real
 * platforms return; CPU and memory OIDs come from shared/snmp/oids.ts, which
 * the collectors read too.
 */
import type { Vendor } from '../../shared/model/types.ts';

export interface VendorProfile {
  enterpriseOid: string;
  /** sysObjectID by model, with a fallback for models not listed. */
  objectIds: Record<string, string>;
  defaultObjectId: string;
  sysDescr(model: string): string;
  /** Interfaces every device of this vendor has besides its circuit ends. */
  spareInterfaces: { management: string; spare: string; loopback: string; nullIf: string };
  /**
   * Cisco keeps no 64-bit (HC) counters on interfaces slower than 20 Mbit/s,
   * so a 2M serial line shows only 32-bit counters there.
   */
  hcMinSpeedBps: number;
}

export const VENDOR_PROFILES: Record<Vendor, VendorProfile> = {
  huawei: {
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
    hcMinSpeedBps: 0,
  },
  h3c: {
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
    hcMinSpeedBps: 0,
  },
  cisco: {
    enterpriseOid: '1.3.6.1.4.1.9',
    objectIds: { 'Cisco 2811': '1.3.6.1.4.1.9.1.576', 'Cisco 2901': '1.3.6.1.4.1.9.1.1047' },
    defaultObjectId: '1.3.6.1.4.1.9.1.1',
    sysDescr: () =>
      'Cisco IOS Software, 2800 Software (C2800NM-ADVIPSERVICESK9-M), Version 15.1(4)M12a, RELEASE SOFTWARE (fc1)\r\n' +
      'Technical Support: http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2016 by Cisco Systems, Inc.',
    spareInterfaces: { management: 'FastEthernet0/0', spare: 'FastEthernet0/1', loopback: 'Loopback0', nullIf: 'Null0' },
    hcMinSpeedBps: 20_000_000,
  },
  zte: {
    enterpriseOid: '1.3.6.1.4.1.3902',
    objectIds: { 'ZXR10 1800': '1.3.6.1.4.1.3902.3.100.18' },
    defaultObjectId: '1.3.6.1.4.1.3902.3',
    sysDescr: (model) => `ZXR10 ROS Version V4.08.23 ${model} Software, Version ZXR10 ${model} V2.6.03, RELEASE SOFTWARE\r\nCopyright (c) 2000-2013 by ZTE Corporation`,
    spareInterfaces: { management: 'mng1', spare: 'gei_0/9', loopback: 'loopback1', nullIf: 'null1' },
    hcMinSpeedBps: 0,
  },
  generic: {
    enterpriseOid: '1.3.6.1.4.1.8072',
    objectIds: {},
    defaultObjectId: '1.3.6.1.4.1.8072.3.2.10',
    sysDescr: (model) => `Linux router ${model} 5.10.0 #1 SMP x86_64`,
    spareInterfaces: { management: 'eth0', spare: 'eth9', loopback: 'lo', nullIf: 'null0' },
    hcMinSpeedBps: 0,
  },
};
