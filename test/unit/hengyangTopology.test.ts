/**
 * The shipped topology.yaml against the facts in shared/network-facts.md. The
 * counts are taken from the YAML text itself (plain yaml parsing), not from
 * the loader, so the loader's derived figures are checked, not echoed.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';

interface RawCircuit {
  id: string;
  bandwidth: string;
  owner: string;
  a: { device: string };
  z: { device?: string; external?: unknown };
}
const raw = parse(readFileSync('topology.yaml', 'utf8')) as {
  sites: Array<{ id: string; level: string; parent?: string; name: { zh: string } }>;
  devices: Array<{ id: string; site: string; role: string; address?: string }>;
  circuits: RawCircuit[];
};

const NAMED_DEPARTMENTS = ['环保局', '民政局', '质监局', '审计局', '安监局', '财政局', '卫生局', '教育局', '药监局', '建设局', '国资委', '计生委'];
const COUNTY_NODES_ON_10M = ['衡阳县', '衡南县', '衡山县', '衡东县', '祁东县', '耒阳市', '常宁市', '南岳区'];

describe('topology.yaml: the Hengyang e-government WAN', () => {
  let topology: Topology;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });

  it('loads without problems and keeps every site, device and circuit of the file', () => {
    expect(topology.sites).to.have.length(raw.sites.length);
    expect(topology.devices).to.have.length(raw.devices.length);
    expect(topology.circuits).to.have.length(raw.circuits.length);
  });

  it('has at least 80 leased circuits', () => {
    expect(raw.circuits.length).to.be.at.least(80);
  });

  it('has 8 county-level nodes, each on a 10M circuit from the network control centre', () => {
    const zh = new Map(raw.sites.map((s) => [s.id, s.name.zh]));
    const deviceSite = new Map(raw.devices.map((d) => [d.id, d.site]));
    const coreDevices = new Set(raw.devices.filter((d) => d.role === 'core').map((d) => d.id));
    const tenM = raw.circuits.filter((c) => c.bandwidth === '10M' && coreDevices.has(c.a.device));
    const served = tenM.map((c) => zh.get(deviceSite.get(c.z.device!)!));
    expect(served).to.have.members(COUNTY_NODES_ON_10M);
    for (const c of tenM) expect(topology.circuit(c.id).bandwidthBps).to.equal(10_000_000);
  });

  it('models the provincial extranet uplink, two core routers and the 1000M Internet exit', () => {
    const cores = raw.devices.filter((d) => d.role === 'core');
    expect(cores).to.have.length(2);
    const exit = raw.circuits.filter((c) => c.z.external !== undefined);
    expect(exit.map((c) => c.bandwidth)).to.deep.equal(['1000M']);
    expect(topology.circuit(exit[0]!.id).bandwidthBps).to.equal(1_000_000_000);
    const provincial = new Set(raw.devices.filter((d) => d.role === 'provincial').map((d) => d.id));
    const uplinks = raw.circuits.filter((c) => c.z.device && provincial.has(c.z.device));
    expect(uplinks.length).to.be.at.least(1);
    for (const u of uplinks) expect(topology.circuit(u.id).level).to.equal('department');
  });

  it('connects the 12 named departments on 2M circuits', () => {
    const owners = new Map(raw.circuits.map((c) => [c.owner, c]));
    for (const name of NAMED_DEPARTMENTS) {
      const site = raw.sites.find((s) => s.level === 'department' && s.name.zh === `市${name}`);
      expect(site, name).to.exist;
      expect(owners.get(site!.id)?.bandwidth, name).to.equal('2M');
    }
  });

  it('gives every site a level, both names and a location within Hunan', () => {
    for (const s of topology.sites) {
      expect(s.name.zh).to.match(/\p{Script=Han}/u);
      expect(s.name.en).to.match(/[A-Za-z]/);
      const [lon, lat] = s.location;
      expect(lon, s.id).to.be.within(108.7, 114.3);
      expect(lat, s.id).to.be.within(24.6, 30.2);
    }
  });

  it('derives each site’s county and city from the tree', () => {
    const parent = new Map(raw.sites.map((s) => [s.id, s.parent]));
    const level = new Map(raw.sites.map((s) => [s.id, s.level]));
    for (const s of topology.sites) {
      let county: string | null = null;
      for (let id: string | undefined = s.id; id; id = parent.get(id)) {
        if (level.get(id) === 'county') county = id;
      }
      expect(s.countyId, s.id).to.equal(county);
    }
  });

  it('derives the upstream circuit of county departments from the county uplink', () => {
    const cz = topology.circuit('HYX-CZJ');
    expect(cz.upstreamIds).to.deep.equal(['HY-HYX']);
    expect(topology.circuit('HY-HYX').upstreamIds).to.deep.equal([]);
  });

  it('names circuit ends by interface name and references credentials, never inline', () => {
    for (const c of topology.circuits) {
      expect(c.a.iface, c.id).to.not.equal(null);
    }
    for (const p of topology.snmpProfiles.values()) {
      const refs = p.version === '3' ? [p.authKey, p.privKey] : [p.community];
      for (const r of refs) expect(r).to.satisfy((x: object) => 'env' in x || 'secret' in x);
    }
  });

  it('describes the real network: management addresses are real, not loopback', () => {
    for (const d of topology.devices.filter((x) => x.managed)) {
      expect(isIP(d.address!), d.id).to.equal(4);
      expect(d.address!.startsWith('127.'), d.id).to.equal(false);
    }
  });

  it('is frozen, so no part of the product can change the shared model', () => {
    expect(Object.isFrozen(topology.circuits[0])).to.equal(true);
    expect(() => {
      (topology.circuits as unknown as unknown[]).push({});
    }).to.throw(TypeError);
  });
});
