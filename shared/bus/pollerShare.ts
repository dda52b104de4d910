/**
 * What a city poller owns: the managed devices of the sites it is given and
 * of every site below them, and the circuits measured from those devices (a
 * circuit hangs from its A end). Shares follow the network's own tree, so a
 * county's poller keeps its county whatever happens to the uplink.
 */
import type { Topology } from '../model/topology.ts';

export interface PollerShareSets {
  sites: Set<string>;
  devices: Set<string>;
  circuits: Set<string>;
}

/**
 * @param where whose share this is, for the message.
 * @throws Error naming the sites the topology does not have.
 */
export function pollerShare(topology: Topology, siteIds: readonly string[], where: string): PollerShareSets {
  const unknown = siteIds.filter((id) => !topology.siteById.has(id));
  if (unknown.length) throw new Error(`${where}: no site ${unknown.map((u) => `"${u}"`).join(', ')} in ${topology.source}`);
  const sites = new Set<string>();
  for (const s of topology.sites) {
    for (let id: string | null = s.id; id !== null; id = topology.site(id).parentId) {
      if (siteIds.includes(id)) {
        sites.add(s.id);
        break;
      }
    }
  }
  const devices = new Set(topology.devices.filter((d) => d.managed && sites.has(d.siteId)).map((d) => d.id));
  const circuits = new Set(topology.circuits.filter((c) => devices.has(c.a.deviceId)).map((c) => c.id));
  return { sites, devices, circuits };
}
