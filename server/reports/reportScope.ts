/**
 * What a report covers, as people name it: the whole network, one circuit,
 * a county (by id or its Chinese or English name: county:衡东县), or a
 * carrier (county:hdx, carrier:telecom, carrier:电信).
 */
import { Refusal } from '../../shared/errors/refusal.ts';
import { CARRIERS, CARRIER_NAMES, type Carrier, type Circuit } from '../../shared/model/types.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { ReportScope } from '../../shared/reports/reportModel.ts';

export class ScopeError extends Refusal {}

export interface ResolvedScope {
  scope: ReportScope;
  name: { zh: string; en: string };
  circuits: Circuit[];
}

/** @throws ScopeError saying what scopes look like, or what was not found. */
export function resolveScope(topology: Topology, text: string): ResolvedScope {
  const t = text.trim();
  if (t === '' || t === 'network') return { scope: { kind: 'network' }, name: topology.network.name, circuits: [...topology.circuits] };
  const m = /^(circuit|county|city|carrier):(.+)$/.exec(t);
  if (!m) throw new ScopeError(`"${t}" is not a scope: give network, circuit:ID, county:NAME, city:NAME or carrier:NAME`);
  const kind = m[1] as 'circuit' | 'county' | 'city' | 'carrier';
  const value = m[2]!;
  if (kind === 'circuit') {
    const c = topology.circuitById.get(value);
    if (!c) throw new ScopeError(`circuit:${value}: no such circuit in ${topology.source}`);
    return { scope: { kind: 'circuit', id: c.id }, name: c.name ?? { zh: c.id, en: c.id }, circuits: [c] };
  }
  if (kind === 'county' || kind === 'city') {
    const site = topology.sites.find((s) => s.level === kind && (s.id === value || s.name.zh === value || s.name.en.toLowerCase() === value.toLowerCase()));
    if (!site)
      throw new ScopeError(
        `${kind}:${value}: no ${kind} of that id or name (${topology.sites
          .filter((s) => s.level === kind)
          .map((s) => s.name.zh)
          .join('、')})`,
      );
    // A county holds its uplink and its departments' lines; a city, everything it owns down to its counties' departments.
    const circuits = topology.circuits.filter((c) => {
      const owner = topology.siteById.get(c.ownerSiteId);
      return owner !== undefined && (owner.id === site.id || (kind === 'county' ? owner.countyId : owner.cityId) === site.id);
    });
    return { scope: { kind, id: site.id }, name: site.name, circuits };
  }
  const v = value.toLowerCase();
  const carrier = CARRIERS.find(
    (k) => k === v || CARRIER_NAMES[k].zh === value || CARRIER_NAMES[k].zh.replace(/^中国/, '') === value || CARRIER_NAMES[k].en.toLowerCase() === v,
  );
  if (!carrier) throw new ScopeError(`carrier:${value}: give telecom, unicom or mobile (电信、联通、移动)`);
  return { scope: { kind: 'carrier', id: carrier as Carrier }, name: CARRIER_NAMES[carrier], circuits: topology.circuits.filter((c) => c.carrier === carrier) };
}
