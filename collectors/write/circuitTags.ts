/** The tags every circuit measurement carries (shared/schema/measurements.ts, CIRCUIT_TAGS). */
import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit } from '../../shared/model/types.ts';
import { formatRate } from '../../shared/model/units.ts';

export function circuitTags(topology: Topology, circuit: Circuit): Record<string, string | null> {
  const owner = topology.site(circuit.ownerSiteId);
  return {
    circuit: circuit.id,
    carrier: circuit.carrier,
    bandwidth: formatRate(circuit.bandwidthBps),
    level: circuit.level,
    site: owner.id,
    county: owner.countyId,
    city: owner.cityId,
  };
}
