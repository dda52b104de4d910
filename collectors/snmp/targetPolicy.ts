/**
 * Which addresses the collector may poll: the network safety rule. Outside
 * production only loopback (the simulator, a test's snmpd); in production only
 * the management addresses topology.yaml names. Anything else is refused with
 * an error that says why, before a packet is sent.
 */
import type { Topology } from '../../shared/model/topology.ts';
import { isLoopback } from '../../shared/net/loopback.ts';
import type { TargetCheck } from './udpMux.ts';

export const SNMP_PORT = 161;

export interface Endpoint {
  host: string;
  port: number;
}

export function targetCheck(topology: Topology, production: boolean): TargetCheck {
  const allowed = new Set(topology.devices.filter((d) => d.managed && d.address).map((d) => d.address!));
  return (host, port) => {
    if (isLoopback(host)) return null;
    if (!production) {
      return `target ${host}:${port} is not on loopback; outside production (production: true in nms.yaml) the collector polls only 127.0.0.0/8 and ::1`;
    }
    return allowed.has(host) ? null : `target ${host}:${port} is not an allowed target: not a management address in ${topology.source}`;
  };
}

/**
 * Where to reach each managed device: its simulator endpoint when one is
 * given, else its management address on port 161.
 */
export function deviceEndpoints(topology: Topology, simulated?: Readonly<Record<string, Endpoint>>): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  for (const d of topology.devices) {
    if (!d.managed) continue;
    const sim = simulated?.[d.id];
    if (sim) out.set(d.id, { host: sim.host, port: sim.port });
    else if (d.address) out.set(d.id, { host: d.address, port: SNMP_PORT });
  }
  return out;
}
