/**
 * The trap receiver as `nms up` runs it, for role all and role poller alike:
 * started before the simulator (whose many sockets could otherwise land on
 * its port), mapping link traps to circuits through the collector once it
 * runs, and asking the collector to confirm each trap with a poll.
 */
import type { TrapObservation } from '../../shared/alarms/types.ts';
import type { NmsConfig } from '../../shared/config/config.ts';
import type { Logger } from '../../shared/log.ts';
import { isLoopback } from '../../shared/net/loopback.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { SecretSources } from '../../shared/secret.ts';
import type { SnmpCredentials } from '../../shared/snmp/credentials.ts';
import { credentialsFor } from '../collectionSetup.ts';
import type { Collector } from '../collector.ts';
import { TrapReceiver } from './trapReceiver.ts';

export interface TrapReceiving {
  receiver: TrapReceiver;
  /** The collector that maps ifIndex to circuits and confirms traps, once it is started. */
  attach(collector: Collector): void;
  /** Maps traps by a new model and accepts its credentials (`nms reload`), on the same port. */
  setModel(topology: Topology, sources: SecretSources): void;
}

/** @throws Error naming the address and port when the receiver cannot bind. */
export async function startTrapReceiving(i: {
  config: NmsConfig;
  topology: Topology;
  sources: SecretSources;
  log: Logger;
  onTrap: (t: TrapObservation) => void;
  devices?: ReadonlySet<string>;
}): Promise<TrapReceiving> {
  let collector: Collector | null = null;
  const accepted = (topology: Topology, sources: SecretSources) => trapCredentials(topology, credentialsFor(topology, sources), i.devices);
  const receiver = await TrapReceiver.start({
    topology: i.topology,
    ...(i.devices ? { devices: i.devices } : {}),
    credentials: accepted(i.topology, i.sources),
    circuitAtIfIndex: (d, n) => collector?.circuitAtIfIndex(d, n) ?? null,
    onTrap: i.onTrap,
    confirm: (d) => collector?.pollSoon(d),
    log: i.log,
    port: i.config.alarms.trapPort,
    address: i.config.alarms.trapAddress,
  });
  return {
    receiver,
    attach: (c) => void (collector = c),
    setModel: (topology, sources) => receiver.setModel({ topology, credentials: accepted(topology, sources) }),
  };
}

/** Where the demo network sends its traps: where simulator.trapTo says, and to our receiver (on its loopback address, or 127.0.0.1 when it listens wider). */
export function simulatorTrapsTo(config: NmsConfig): NmsConfig['simulator']['trapTo'] {
  const { trapAddress, trapPort } = config.alarms;
  return [...config.simulator.trapTo, { host: isLoopback(trapAddress) ? trapAddress : '127.0.0.1', port: trapPort }];
}

/** Every managed device's credentials that resolve; the collector already reports those that do not. */
function trapCredentials(
  topology: Topology,
  credentials: (d: Topology['devices'][number]) => SnmpCredentials,
  devices?: ReadonlySet<string>,
): Map<string, SnmpCredentials> {
  const out = new Map<string, SnmpCredentials>();
  for (const d of topology.devices) {
    if (!d.managed || !d.snmpProfile || (devices && !devices.has(d.id))) continue;
    try {
      out.set(d.id, credentials(d));
    } catch {
      // logged by the collector as unpollable
    }
  }
  return out;
}
