/**
 * A generated province-scale network for the benchmarks: one city and N
 * department routers, each with 20 leased lines to the outside. Flat on
 * purpose: the figures are about per-interface cost, not tree depth.
 */

export const INTERFACES_PER_DEVICE = 20;
/** The environment variable the generated SNMP profile reads its community from. */
export const BENCH_COMMUNITY_ENV = 'BENCH_COMMUNITY';

/** topology.yaml text for department routers [from, to). */
export function topologyYaml(to: number, from = 0): string {
  const out = [
    'version: 1',
    'network: { id: bench, name: { zh: 压测网, en: Bench network }, timezone: Asia/Shanghai }',
    'snmpProfiles:',
    `  v2c: { version: 2c, community: { env: ${BENCH_COMMUNITY_ENV} } }`,
    'slaTiers:',
    '  std: { availability: 99.0, utilizationWarn: 80, utilizationCritical: 95 }',
    'sites:',
    '  - { id: city, level: city, name: { zh: 市, en: City }, location: [112.5, 26.9], contact: { name: 值班, phone: "0" } }',
  ];
  for (let d = from; d < to; d++) out.push(`  - { id: s${d}, level: department, parent: city, name: { zh: 部门${d}, en: Dept ${d} }, location: [112.5, 26.9], contact: { name: 值班, phone: "0" } }`);
  out.push('devices:');
  for (let d = from; d < to; d++) out.push(`  - { id: r${d}, site: s${d}, role: cpe, vendor: huawei, address: 127.0.0.1, snmp: v2c }`);
  out.push('circuits:');
  for (let d = from; d < to; d++) {
    for (let k = 0; k < INTERFACES_PER_DEVICE; k++) {
      out.push(`  - { id: C${d}-${k}, carrier: telecom, carrierCircuitId: B${d}-${k}, bandwidth: 10M, a: { device: r${d}, ifName: GigabitEthernet0/0/${k} }, z: { external: { zh: 外, en: Out } }, sla: std, owner: s${d} }`);
    }
  }
  return `${out.join('\n')}\n`;
}
