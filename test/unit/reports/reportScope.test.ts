/** Report scopes against the repository's topology.yaml: who is in a county, a city, a carrier. */
import { expect } from 'chai';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { resolveScope, ScopeError } from '../../../server/reports/reportScope.ts';

describe('report scopes', () => {
  let topology: Topology;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });

  it('takes a county by id or by Chinese or English name, with its uplink and its departments', () => {
    const hdx = topology.sites.find((s) => s.level === 'county' && s.name.zh === '衡东县')!;
    const byName = resolveScope(topology, 'county:衡东县');
    expect(resolveScope(topology, `county:${hdx.id}`).circuits).to.deep.equal(byName.circuits);
    expect(resolveScope(topology, `county:${hdx.name.en}`).circuits).to.deep.equal(byName.circuits);
    const ids = byName.circuits.map((c) => c.id);
    expect(ids).to.include.members(topology.circuits.filter((c) => c.ownerSiteId === hdx.id).map((c) => c.id));
    for (const c of byName.circuits) {
      const owner = topology.site(c.ownerSiteId);
      expect(owner.id === hdx.id || owner.countyId === hdx.id, c.id).to.equal(true);
    }
  });

  it('takes a city as every circuit it owns, a carrier by code or Chinese name, and the whole network', () => {
    expect(resolveScope(topology, 'city:衡阳市').circuits.length).to.be.at.least(topology.circuits.length - 3);
    expect(resolveScope(topology, 'carrier:电信').circuits).to.deep.equal(resolveScope(topology, 'carrier:telecom').circuits);
    expect(resolveScope(topology, 'carrier:中国联通').circuits.every((c) => c.carrier === 'unicom')).to.equal(true);
    expect(resolveScope(topology, 'network').circuits).to.have.length(topology.circuits.length);
  });

  it('says what scopes look like, and what was not found', () => {
    expect(() => resolveScope(topology, 'province:湖南')).to.throw(ScopeError, 'give network, circuit:ID, county:NAME, city:NAME or carrier:NAME');
    expect(() => resolveScope(topology, 'circuit:NOPE')).to.throw(ScopeError, 'circuit:NOPE: no such circuit');
    expect(() => resolveScope(topology, 'carrier:cmcc')).to.throw(ScopeError, 'give telecom, unicom or mobile');
  });
});
