/**
 * Brings the whole product up on one machine (role all) and takes it down
 * again, in order: store, simulated network, traps, pollers and prober
 * (collectors/pollingSetup.ts), then alarms, reports and console
 * (serving.ts), so `nms up` and the tests start exactly the same thing. The
 * province's roles compose the same parts in pollerRole.ts and centreRole.ts.
 */
import type { Collector } from '../collectors/collector.ts';
import { openWriter } from '../collectors/collectionSetup.ts';
import type { CircuitProber } from '../collectors/probe/circuitProber.ts';
import { startPolling } from '../collectors/pollingSetup.ts';
import type { SpoolingWriter } from '../collectors/write/spoolingWriter.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import { demoCredentialSources } from '../shared/config/demoCredentials.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
import { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import { readInputFile } from '../shared/input/validatedYaml.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { recordRun, topologyWarnings } from './storage/lastRunTopology.ts';
import type { Topology } from '../shared/model/topology.ts';
import { startSimulation, type RunningSimulation } from '../sim/startSimulation.ts';
import { join } from 'node:path';
import type { AlarmService } from './alarms/alarmService.ts';
import type { OutageLedger } from './alarms/outageLedger.ts';
import type { DemoLogin } from './http/demoUsers.ts';
import { checkServing, startServing } from './serving.ts';
import { ModelReloader, type ReloadResult } from './reload/modelReload.ts';
import { historyWanted, writeDemoHistory } from './demo/demoHistory.ts';
import { simulatorTrapsTo, startTrapReceiving } from '../collectors/traps/trapSetup.ts';
import type { TrapReceiver } from '../collectors/traps/trapReceiver.ts';
import { DailyDigests, DIGESTS_DIR } from './reports/dailyDigests.ts';
import { influxQueryOf, openInfluxStore, type InfluxStore } from './influx/store.ts';
import type { WebSocketHub } from './notifiers/websocketNotifier.ts';

export interface RunningProduct {
  topology: Topology;
  store: InfluxStore;
  /** The demo network, when the simulator is enabled. */
  simulation: RunningSimulation | null;
  collector: Collector;
  prober: CircuitProber;
  writer: SpoolingWriter;
  live: LiveState;
  alarms: AlarmService;
  traps: TrapReceiver;
  ledger: OutageLedger;
  console: { url: string; demoLogins: DemoLogin[] };
  /** Where the console's WebSocket connections are handed (issue 6). */
  websocketHub: WebSocketHub;
  /** Reads nms.yaml and topology.yaml again and applies them, or refuses with every problem (`nms reload`, SIGHUP). */
  reload(): Promise<ReloadResult>;
  stop(): Promise<void>;
}

/** How often the collector writes its own figures (collector_stats). */
const SELF_METRICS_MS = 60_000;

export interface StartOptions {
  /** Whether this start may write the demo's history (nms up --check does not); default true. */
  history?: boolean;
  /** Told as the demo's history is written: simulated ms done of the whole. */
  historyProgress?: (doneMs: number, totalMs: number) => void;
  /** Asks a start to give up (Ctrl-C while the demo's history is written). */
  abort?: AbortSignal;
}

/**
 * Validates the model first, so a bad topology.yaml stops start-up before any
 * process is started; a part that fails to start stops the ones before it.
 * @throws InputFileError for a bad topology, config or scenario; Error when a part fails to start.
 */
export async function startProduct(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger, options: StartOptions = {}): Promise<RunningProduct> {
  const topologyText = await readInputFile(config.topologyFile, 'topology file');
  const topology = parseTopology(topologyText, config.topologyFile);
  const topologyNotes = topologyWarnings(config.dataDir, topology, topologyText);
  const secrets = await loadSecretSources(config.secretsFile, env);
  const { websocketHub, channels, onCall, basemap } = checkServing(config, topology, secrets);
  const agents = topology.devices.filter((d) => d.managed).length;
  const { basePort } = config.simulator;
  if (config.simulator.enabled && basePort > 0 && config.alarms.trapPort >= basePort && config.alarms.trapPort < basePort + agents) {
    throw new Error(`alarms.trapPort ${config.alarms.trapPort} falls among the simulator's agent ports ${basePort}–${basePort + agents - 1}; choose another`);
  }
  if (config.reports.schedules.length && config.influx.mode === 'external' && config.influx.api === 2) {
    throw new Error('reports.schedules: reports read InfluxDB 1.x with InfluxQL; this config writes through the v2 API only');
  }
  const store = await openInfluxStore(config.influx, config.dataDir, secrets, log.child('influx'));
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    let simulation: RunningSimulation | null = null;
    let sources = secrets;
    if (config.simulator.enabled) sources = await demoCredentialSources(topology, secrets, config.dataDir, log.child('sim'));
    // The trap port is taken before the simulator's many sockets could land on it.
    let alarmsRef: AlarmService | null = null;
    const traps = await startTrapReceiving({ config, topology, sources, log: log.child('traps'), onTrap: (t) => alarmsRef?.observeTrap(t) });
    stops.push(() => traps.receiver.close());
    if (config.simulator.enabled) {
      simulation = await startSimulation({ ...config.simulator, trapTo: simulatorTrapsTo(config) }, topology, sources, log.child('sim'));
      stops.push(() => simulation!.stop());
    }
    // InfluxQL, for the console's series and for reports (InfluxDB 1.x only).
    const influxQuery = influxQueryOf(store);
    // Report digests are kept per day; a replay that rebuilds rollups makes those days stale.
    const digests = influxQuery ? new DailyDigests(influxQuery, join(config.dataDir, DIGESTS_DIR)) : null;
    const writer = await openWriter(store.sink, store.v1, config.dataDir, log.child('writer'), undefined, (from, to) => digests?.invalidate(from, to));
    stops.push(() => writer.close());
    if (options.history !== false && historyWanted(config) && store.v1) {
      const written = await writeDemoHistory({
        config,
        topology,
        sources,
        writer,
        v1: store.v1,
        log,
        progress: options.historyProgress ?? (() => undefined),
        onRollupsRebuilt: (from, to) => digests?.invalidate(from, to),
        ...(options.abort ? { abort: options.abort } : {}),
      });
      if (written) {
        const days = Math.round((written.toMs - written.fromMs) / 86_400_000);
        log.info(
          `demo history: ${days} days to ${new Date(written.toMs).toISOString()} written in ${(written.tookMs / 1000).toFixed(1)} s (${written.polls} polls, ${written.faults} faults)`,
        );
      }
    }
    const live = new LiveState();
    const { collector, prober } = startPolling({
      config,
      topology,
      sources,
      live,
      writer,
      log,
      ...(simulation ? { simulated: simulation.simulator.endpoints() } : {}),
    });
    traps.attach(collector);
    // A reload replaces the prober: the one running then is stopped.
    let running: { prober: CircuitProber } = { prober };
    stops.push(() => running.prober.stop());
    const selfMetrics = setInterval(() => writer.write([collector.statsPoint(Date.now(), writer.stats.spooledPoints)]), SELF_METRICS_MS);
    selfMetrics.unref();
    stops.push(async () => {
      clearInterval(selfMetrics);
      await collector.stop();
    });

    const { alarms, ledger, maintenance, api, deps, demo } = await startServing({
      config,
      topology,
      log,
      channels,
      onCall,
      writer,
      websocketHub,
      influxQuery,
      digests,
      live,
      basemap,
      pollIntervalMs: collector.shortestIntervalMs,
      inventory: (id) => collector.inventory(id),
      stops,
    });
    alarmsRef = alarms;
    const consoleInfo = { url: api.url, demoLogins: demo?.logins ?? [] };
    for (const note of topologyNotes) log.warn(note);
    recordRun(config.dataDir, topology, Date.now());
    const product: RunningProduct = {
      topology,
      store,
      simulation,
      collector,
      prober,
      writer,
      live,
      alarms,
      traps: traps.receiver,
      ledger,
      console: consoleInfo,
      websocketHub,
      reload: () => reloader.reload(),
      stop: stopAll,
    };
    running = product;
    const reloader = new ModelReloader(
      { config, topology, topologyText, sources },
      { traps, collector, prober, live, ledger, alarms, maintenance, api: deps, websocketHub, simulation, writer },
      log.child('reload'),
      (t, p) => Object.assign(product, { topology: t, prober: p }),
      env,
    );
    return product;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
