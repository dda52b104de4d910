/**
 * Which addresses the collector may poll: the network safety rule. Outside
 * production only loopback (the simulator, a test's snmpd); in production only
 * the management address and port of a device topology.yaml names, or
 * loopback. Anything else is refused with an error that says why, before a
 * packet is sent.
 */
import type { Topology } from '../../shared/model/topology.ts';
import { isLoopback } from '../../shared/net/loopback.ts';
import { canonicalHost, formatHostPort } from '../../shared/net/managementAddress.ts';
import type { TargetCheck } from './udpMux.ts';

export interface Endpoint {
  host: string;
  port: number;
}

const key = (host: string, port: number) => `${canonicalHost(host)}|${port}`;

export function targetCheck(topology: Topology, production: boolean): TargetCheck {
  const allowed = new Set(topology.devices.filter((d) => d.managed && d.address).map((d) => key(d.address!, d.port)));
  return (host, port) => {
    if (isLoopback(host)) return null;
    const target = formatHostPort(host, port);
    if (!production) {
      return `target ${target} is not on loopback; outside production (production: true in nms.yaml) the collector polls only 127.0.0.0/8 and ::1`;
    }
    return allowed.has(key(host, port))
      ? null
      : `target ${target} is not an allowed target: not the management address and port of a device in ${topology.source}`;
  };
}

/**
 * Which addresses the circuit prober may send echoes to: the same rule, with
 * the addresses topology.yaml names for probing (a circuit's probe.address,
 * else its Z device's address) in place of the SNMP agents. Port 0 is ICMP.
 */
export function probeTargetCheck(topology: Topology, production: boolean): TargetCheck {
  const allowed = new Set(topology.circuits.flatMap((c) => (c.probe ? [key(c.probe.address, c.probe.port ?? 0)] : [])));
  return (host, port) => {
    if (isLoopback(host)) return null;
    const target = port ? formatHostPort(host, port) : host;
    if (!production) {
      return `target ${target} is not on loopback; outside production (production: true in nms.yaml) the prober sends only to 127.0.0.0/8 and ::1`;
    }
    return allowed.has(key(host, port)) ? null : `target ${target} is not an allowed target: no circuit in ${topology.source} is probed there`;
  };
}

/**
 * Where to reach each managed device: its simulator endpoint when one is
 * given, else its management address and port from topology.yaml.
 */
export function deviceEndpoints(topology: Topology, simulated?: Readonly<Record<string, Endpoint>>): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  for (const d of topology.devices) {
    if (!d.managed) continue;
    const sim = simulated?.[d.id];
    if (sim) out.set(d.id, { host: canonicalHost(sim.host), port: sim.port });
    else if (d.address) out.set(d.id, { host: d.address, port: d.port });
  }
  return out;
}
