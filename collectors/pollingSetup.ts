/**
 * Starts what observes the network: the collector (SNMP) and the circuit
 * prober, over the whole model or a poller's share of it. `nms up` runs it
 * for role all and role poller alike, so both poll the same way.
 */
import type { NmsConfig } from '../shared/config/config.ts';
import type { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { SecretSources } from '../shared/secret.ts';
import { Collector, type PointSink } from './collector.ts';
import { credentialsFor } from './collectionSetup.ts';
import { CircuitProber } from './probe/circuitProber.ts';
import { deviceEndpoints, probeTargetCheck, type Endpoint } from './snmp/targetPolicy.ts';

export interface PollingInputs {
  config: NmsConfig;
  topology: Topology;
  sources: SecretSources;
  live: LiveState;
  writer: PointSink;
  log: Logger;
  /** The demo's devices: where each answers SNMP, and UDP echo. */
  simulated?: Readonly<Record<string, Endpoint & { echoPort: number }>>;
  /** A poller's share; the whole model without. */
  share?: { devices: ReadonlySet<string>; circuits: ReadonlySet<string> };
}

/** What the collector polls the model by: where each device answers, and with what credentials. */
export function pollingModel(topology: Topology, sources: SecretSources, simulated?: PollingInputs['simulated']) {
  return { topology, endpoints: deviceEndpoints(topology, simulated), credentials: credentialsFor(topology, sources) };
}

/** Both started; the caller stops them. */
export function startPolling(i: PollingInputs): { collector: Collector; prober: CircuitProber } {
  const { config, topology, live, writer, log, simulated, share } = i;
  const collector = new Collector({
    ...pollingModel(topology, i.sources, simulated),
    production: config.production,
    sink: writer,
    live,
    log: log.child('collector'),
    maxInFlight: config.collector.maxInFlight,
    ...(share ? { devices: [...share.devices] } : {}),
    ...(config.collector.intervalSeconds ? { intervalMs: config.collector.intervalSeconds * 1000 } : {}),
  });
  collector.start();
  return { collector, prober: startProber(i) };
}

/** The circuit prober alone, started (a reload starts one for the new model). */
export function startProber(i: PollingInputs): CircuitProber {
  const { config, topology, live, writer, log, simulated, share } = i;
  const echoes = simulated ? new Map(Object.entries(simulated).map(([id, e]) => [id, { host: e.host, port: e.echoPort }])) : undefined;
  const prober = new CircuitProber({
    topology,
    live,
    sink: writer,
    log: log.child('prober'),
    check: probeTargetCheck(topology, config.production),
    ...(share ? { circuits: share.circuits } : {}),
    ...(echoes ? { simulatedEcho: echoes } : {}),
    ...(config.collector.probeIntervalSeconds ? { intervalMs: config.collector.probeIntervalSeconds * 1000 } : {}),
  });
  prober.start();
  return prober;
}
