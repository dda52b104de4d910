import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit } from '../../shared/model/types.ts';
import { trafficProfile } from '../../sim/traffic/trafficModel.ts';

/**
 * A 2M circuit whose Z end is a Cisco answering SNMPv2c and that is not idle
 * under the default seed: 32-bit counters only, and enough traffic to wrap them.
 */
export function busyCiscoCircuit(topology: Topology): Circuit & { z: { kind: 'device'; deviceId: string } } {
  const found = topology.circuits.find((c) => {
    const z = c.z.kind === 'device' ? topology.device(c.z.deviceId) : null;
    return z?.vendor === 'cisco' && z.snmpProfile === 'cpe-v2c' && c.bandwidthBps === 2_000_000 && trafficProfile(734, c).kind !== 'idle';
  });
  if (!found) throw new Error('topology.yaml has no busy Cisco v2c 2M circuit');
  return found as Circuit & { z: { kind: 'device'; deviceId: string } };
}
