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
  for (let d = from; d < to; d++)
    out.push(
      `  - { id: s${d}, level: department, parent: city, name: { zh: 部门${d}, en: Dept ${d} }, location: [112.5, 26.9], contact: { name: 值班, phone: "0" } }`,
    );
  out.push('devices:');
  for (let d = from; d < to; d++) out.push(`  - { id: r${d}, site: s${d}, role: cpe, vendor: huawei, address: 127.0.0.1, snmp: v2c }`);
  out.push('circuits:');
  for (let d = from; d < to; d++) {
    for (let k = 0; k < INTERFACES_PER_DEVICE; k++) {
      out.push(
        `  - { id: C${d}-${k}, carrier: telecom, carrierCircuitId: B${d}-${k}, bandwidth: 10M, a: { device: r${d}, ifName: GigabitEthernet0/0/${k} }, z: { external: { zh: 外, en: Out } }, sla: std, owner: s${d} }`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * topology.yaml text for a whole province, shaped like the real one: the
 * province's PE, `cities` cities spread over ~5° by ~5°, each with a core
 * router, ~8.5 counties (a router each, with 4 departments) and 35 city
 * departments, every department on its own leased line. 14 cities give
 * 1,099 circuits, the province the console's overview must draw.
 */
export function provinceYaml(cities = 14): string {
  const out = [
    'version: 1',
    'network: { id: province, name: { zh: 省电子政务外网, en: Provincial e-government WAN }, timezone: Asia/Shanghai }',
    'snmpProfiles:',
    `  v2c: { version: 2c, community: { env: ${BENCH_COMMUNITY_ENV} } }`,
    'slaTiers:',
    '  std: { availability: 99.5, utilizationWarn: 80, utilizationCritical: 95 }',
    'sites:',
    '  - { id: prov, level: province, name: { zh: 省中心, en: Province }, location: [112.98, 28.19], contact: { name: 值班, phone: "0" } }',
  ];
  // Each device its own management address, as in a real network (traps are told apart by it); the demo maps every one to loopback.
  let hosts = 0;
  const address = () => `10.${(++hosts >> 16) & 255}.${(hosts >> 8) & 255}.${hosts & 255}`;
  const devices = [`  - { id: prov-pe, site: prov, role: provincial, vendor: huawei, address: ${address()}, snmp: v2c }`];
  const circuits: string[] = [];
  let n = 0;
  const circuit = (a: string, z: string, owner: string, bw: string) =>
    circuits.push(
      `  - { id: P-${++n}, carrier: ${['telecom', 'unicom', 'mobile'][n % 3]}, carrierCircuitId: PX-${n}, bandwidth: ${bw}, a: { device: ${a}, ifName: Gi0/${n} }, z: { device: ${z}, ifName: Gi9/${n} }, sla: std, owner: ${owner} }`,
    );
  const dept = (id: string, parent: string, lon: number, lat: number, a: string) => {
    out.push(
      `  - { id: ${id}, level: department, parent: ${parent}, name: { zh: 部门${id}, en: Dept ${id} }, location: [${lon.toFixed(3)}, ${lat.toFixed(3)}], contact: { name: 值班, phone: "0" } }`,
    );
    devices.push(`  - { id: ${id}-cpe, site: ${id}, role: cpe, vendor: huawei, address: ${address()}, snmp: v2c }`);
    circuit(a, `${id}-cpe`, id, '2M');
  };
  for (let c = 0; c < cities; c++) {
    // Four cities to a row, rows a degree and a bit apart, each nudged off the grid.
    const [lon, lat] = [109.6 + 1.3 * (c % 4) + 0.3 * Math.sin(c * 2.1), 25.3 + 1.2 * Math.floor(c / 4) + 0.3 * Math.cos(c * 1.7)];
    out.push(
      `  - { id: c${c}, level: city, name: { zh: 城市${c}, en: City ${c} }, location: [${lon.toFixed(3)}, ${lat.toFixed(3)}], contact: { name: 值班, phone: "0" } }`,
    );
    devices.push(`  - { id: c${c}-core, site: c${c}, role: core, vendor: huawei, address: ${address()}, snmp: v2c }`);
    circuit(`c${c}-core`, 'prov-pe', `c${c}`, '100M');
    const counties = c % 2 === 0 ? 9 : 8;
    for (let k = 0; k < counties; k++) {
      const id = `c${c}k${k}`;
      const a = (2 * Math.PI * k) / counties;
      const [klon, klat] = [lon + 0.4 * Math.cos(a), lat + 0.4 * Math.sin(a)];
      out.push(
        `  - { id: ${id}, level: county, parent: c${c}, name: { zh: 县${id}, en: County ${id} }, location: [${klon.toFixed(3)}, ${klat.toFixed(3)}], contact: { name: 值班, phone: "0" } }`,
      );
      devices.push(`  - { id: ${id}-rtr, site: ${id}, role: county, vendor: huawei, address: ${address()}, snmp: v2c }`);
      circuit(`c${c}-core`, `${id}-rtr`, id, '10M');
      for (let d = 0; d < 4; d++) dept(`${id}d${d}`, id, klon + 0.01 * d, klat, `${id}-rtr`);
    }
    for (let d = 0; d < 35; d++) dept(`c${c}d${d}`, `c${c}`, lon + 0.001 * d, lat, `c${c}-core`);
  }
  return `${[...out, 'devices:', ...devices, 'circuits:', ...circuits].join('\n')}\n`;
}
