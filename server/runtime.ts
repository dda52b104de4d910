/**
 * Brings the product up on its configuration and takes it down again, in
 * order. Each part (store, simulated network, collector, and later alarms and
 * console) joins here, so `nms up` and the tests start exactly the same thing.
 */
import { Collector } from '../collectors/collector.ts';
import { credentialsFor, openWriter } from '../collectors/collectionSetup.ts';
import { CircuitProber } from '../collectors/probe/circuitProber.ts';
import { deviceEndpoints, probeTargetCheck } from '../collectors/snmp/targetPolicy.ts';
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
import type { SnmpCredentials } from '../shared/snmp/credentials.ts';
import { startSimulation, type RunningSimulation } from '../sim/startSimulation.ts';
import { join } from 'node:path';
import { AlarmJournal } from './alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES, type AlarmRules } from './alarms/alarmRules.ts';
import { AlarmService } from './alarms/alarmService.ts';
import { alarmEventPoint } from './alarms/alarmHistory.ts';
import { onCallSchema, type OnCallConfig } from './alarms/onCall.ts';
import { MaintenanceStore, unknownSubjects } from './alarms/maintenanceStore.ts';
import { OutageLedger } from './alarms/outageLedger.ts';
import { TrapReceiver } from './alarms/trapReceiver.ts';
import type { ReportSources } from './reports/reportBuilder.ts';
import { DailyDigests, DIGESTS_DIR } from './reports/dailyDigests.ts';
import { checkSchedules, ReportScheduler } from './reports/reportScheduler.ts';
import { influxQueryOf, openInfluxStore, type InfluxStore } from './influx/store.ts';
import { DeliveryQueue } from './notifiers/deliveryQueue.ts';
import { buildChannels } from './notifiers/notifierRegistry.ts';
import { WebSocketHub } from './notifiers/websocketNotifier.ts';
import { startApiServer } from './http/apiServer.ts';
import { AuditLog } from './http/auditLog.ts';
import { configSummary } from './http/configSummary.ts';
import { UserDirectory } from './http/userDirectory.ts';
import { LiveFeed } from './http/liveFeed.ts';
import { buildWebAssets } from './http/webAssets.ts';
import { demoUsers, type DemoLogin } from './http/demoUsers.ts';
import { CONSOLE_USERS_FILE, DEMO_USERS_FILE } from '../shared/config/defaults.ts';

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
  stop(): Promise<void>;
}

/** How often the collector writes its own figures (collector_stats). */
const SELF_METRICS_MS = 60_000;

/**
 * Validates the model first, so a bad topology.yaml stops start-up before any
 * process is started; a part that fails to start stops the ones before it.
 * @throws InputFileError for a bad topology, config or scenario; Error when a part fails to start.
 */
export async function startProduct(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<RunningProduct> {
  const topologyText = await readInputFile(config.topologyFile, 'topology file');
  const topology = parseTopology(topologyText, config.topologyFile);
  const topologyNotes = topologyWarnings(config.dataDir, topology, topologyText);
  const secrets = await loadSecretSources(config.secretsFile, env);
  // Channels are checked before anything starts: a bad one must not leave processes behind.
  const websocketHub = new WebSocketHub();
  const channels = buildChannels(config.alarms.channels, secrets, 'alarms.channels', { websocketHub });
  const onCall = parseOnCall(config.alarms.onCall, channels.map((c) => c.settings.name));
  checkSchedules(config.reports.schedules, { topology }, channels);
  // Demo logins are printed on the terminal: right for the demo, a leak for a real network.
  if (config.production && !config.console.users) throw new Error('console.users: production needs its console users in nms.yaml (a hash from `nms user hash` for each); demo logins are made only for the demo');
  const agents = topology.devices.filter((d) => d.managed).length;
  const { basePort } = config.simulator;
  if (config.simulator.enabled && basePort > 0 && config.alarms.trapPort >= basePort && config.alarms.trapPort < basePort + agents) {
    throw new Error(`alarms.trapPort ${config.alarms.trapPort} falls among the simulator's agent ports ${basePort}–${basePort + agents - 1}; choose another`);
  }
  const unknown = config.alarms.maintenance.flatMap((w, i) => unknownSubjects(topology, w.subjects).map((id) => `alarms.maintenance[${i}].subjects: no circuit, device or site "${id}" in ${config.topologyFile}`));
  if (unknown.length) throw new Error(`maintenance windows:\n  ${unknown.join('\n  ')}`);
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
    let collectorRef: Collector | null = null;
    let alarmsRef: AlarmService | null = null;
    const credentials = credentialsFor(topology, sources);
    const traps = await TrapReceiver.start({
      topology,
      credentials: trapCredentials(topology, credentials),
      circuitAtIfIndex: (d, i) => collectorRef?.circuitAtIfIndex(d, i) ?? null,
      onTrap: (t) => alarmsRef?.observeTrap(t),
      confirm: (d) => collectorRef?.pollSoon(d),
      log: log.child('traps'),
      port: config.alarms.trapPort,
      address: config.alarms.trapAddress,
    });
    stops.push(() => traps.close());
    if (config.simulator.enabled) {
      // The demo network sends its traps to our receiver.
      const trapTo = [...config.simulator.trapTo, { host: '127.0.0.1', port: config.alarms.trapPort }];
      simulation = await startSimulation({ ...config.simulator, trapTo }, topology, sources, log.child('sim'));
      stops.push(() => simulation!.stop());
    }
    // InfluxQL, for the console's series and for reports (InfluxDB 1.x only).
    const influxQuery = influxQueryOf(store);
    // Report digests are kept per day; a replay that rebuilds rollups makes those days stale.
    const digests = influxQuery ? new DailyDigests(influxQuery, join(config.dataDir, DIGESTS_DIR)) : null;
    const writer = await openWriter(store.sink, store.v1, config.dataDir, log.child('writer'), undefined, (from, to) => digests?.invalidate(from, to));
    stops.push(() => writer.close());
    const live = new LiveState();
    const collector = new Collector({
      topology,
      endpoints: deviceEndpoints(topology, simulation?.simulator.endpoints()),
      credentials,
      production: config.production,
      sink: writer,
      live,
      log: log.child('collector'),
      maxInFlight: config.collector.maxInFlight,
      ...(config.collector.intervalSeconds ? { intervalMs: config.collector.intervalSeconds * 1000 } : {}),
    });
    collector.start();
    collectorRef = collector;
    const echoes = simulation ? new Map(Object.entries(simulation.simulator.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.echoPort }])) : undefined;
    const prober = new CircuitProber({
      topology,
      live,
      sink: writer,
      log: log.child('prober'),
      check: probeTargetCheck(topology, config.production),
      ...(echoes ? { simulatedEcho: echoes } : {}),
      ...(config.collector.probeIntervalSeconds ? { intervalMs: config.collector.probeIntervalSeconds * 1000 } : {}),
    });
    prober.start();
    stops.push(() => prober.stop());
    const selfMetrics = setInterval(() => writer.write([collector.statsPoint(Date.now(), writer.stats.spooledPoints)]), SELF_METRICS_MS);
    selfMetrics.unref();
    stops.push(async () => {
      clearInterval(selfMetrics);
      await collector.stop();
    });

    const alarmsDir = join(config.dataDir, 'alarms');
    const journal = AlarmJournal.open(alarmsDir, log.child('alarms'));
    const ledger = OutageLedger.open(alarmsDir, topology, log.child('sla'));
    const delivery = new DeliveryQueue(channels, journal, log.child('notify'));
    const rules: AlarmRules = {
      ...DEFAULT_ALARM_RULES,
      ...(config.alarms.upstreamWaitSeconds !== null ? { upstreamWaitMs: config.alarms.upstreamWaitSeconds * 1000 } : {}),
      ...(config.alarms.clearAfterSeconds !== null ? { outageClearAfterMs: config.alarms.clearAfterSeconds * 1000 } : {}),
      quality: {
        windowMs: (config.alarms.quality.windowSeconds ?? DEFAULT_ALARM_RULES.quality.windowMs / 1000) * 1000,
        sustainMs: (config.alarms.quality.sustainSeconds ?? DEFAULT_ALARM_RULES.quality.sustainMs / 1000) * 1000,
        clearAfterMs: (config.alarms.quality.clearAfterSeconds ?? DEFAULT_ALARM_RULES.quality.clearAfterMs / 1000) * 1000,
        clearMargin: DEFAULT_ALARM_RULES.quality.clearMargin,
      },
    };
    const alarms = new AlarmService({ topology, rules, journal, delivery, live, log: log.child('alarms'), notice: { language: config.alarms.language, consoleUrl: config.alarms.consoleUrl }, onCall, ledger, onEvent: (e) => {
      writer.write([alarmEventPoint(e, Date.now(), topology)]);
      websocketHub.broadcast({ type: 'alarm', event: e.type, alarm: e.alarm });
    } });
    const maintenance = MaintenanceStore.open(alarmsDir, topology, config.alarms.maintenance, (all) => alarms.engine.setMaintenance(all));
    alarms.start();
    alarmsRef = alarms;
    stops.push(async () => {
      alarms.stop();
      delivery.close();
      journal.close();
      ledger.checkpoint(Date.now());
      ledger.close();
    });

    let reports: { sources: ReportSources; scheduler: ReportScheduler | null } | null = null;
    if (influxQuery && digests) {
      const sources: ReportSources = { topology, influx: influxQuery, ledger, activeAlarms: () => alarms.engine.active(), now: Date.now, thresholds: config.reports.capacity, digests };
      const stopDigests = digests.keepCurrent(topology.network.timezone, log.child('reports'));
      stops.push(async () => stopDigests());
      const scheduler = config.reports.schedules.length
        ? new ReportScheduler({ schedules: config.reports.schedules, sources, dir: join(config.dataDir, 'reports'), channels, consoleUrl: config.alarms.consoleUrl, timeZone: topology.network.timezone, log: log.child('reports') })
        : null;
      scheduler?.start();
      if (scheduler) stops.push(() => scheduler.stop());
      reports = { sources, scheduler };
    }

    const feed = new LiveFeed(live, (message) => websocketHub.broadcast(message), { pollIntervalMs: collector.shortestIntervalMs });
    stops.push(async () => feed.close());
    const demo = config.console.users ? null : await demoUsers(join(config.dataDir, DEMO_USERS_FILE));
    const audit = new AuditLog(config.dataDir);
    stops.push(async () => audit.close());
    const api = await startApiServer(
      {
        topology,
        live,
        alarms,
        users: new UserDirectory(config.console.users ?? demo!.users, join(config.dataDir, CONSOLE_USERS_FILE), config.console.users ? 'config' : 'demo'),
        audit,
        log: log.child('console'),
        hub: websocketHub,
        secureCookies: config.console.secureCookies,
        ledger,
        maintenance,
        inventory: (id) => collector.inventory(id),
        reports,
        configSummary: configSummary(config, topology),
        feed,
        web: await buildWebAssets(),
        influx: influxQuery,
      },
      { port: config.console.port, host: config.console.host },
    );
    stops.push(() => api.close());
    const consoleInfo = { url: api.url, demoLogins: demo?.logins ?? [] };
    for (const note of topologyNotes) log.warn(note);
    recordRun(config.dataDir, topology, Date.now());
    return { topology, store, simulation, collector, prober, writer, live, alarms, traps, ledger, console: consoleInfo, websocketHub, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Every managed device's credentials that resolve; the collector already reports those that do not. */
function trapCredentials(topology: Topology, credentials: (d: Topology['devices'][number]) => SnmpCredentials): Map<string, SnmpCredentials> {
  const out = new Map<string, SnmpCredentials>();
  for (const d of topology.devices) {
    if (!d.managed || !d.snmpProfile) continue;
    try {
      out.set(d.id, credentials(d));
    } catch {
      // logged by the collector as unpollable
    }
  }
  return out;
}

/**
 * The on-call settings, checked against the channels that exist.
 * @throws Error listing every problem with its path under alarms.onCall.
 */
function parseOnCall(raw: Record<string, unknown> | null, channels: readonly string[]): OnCallConfig | null {
  if (raw === null) return null;
  const parsed = onCallSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `alarms.onCall.${i.path.join('.')}: ${i.message}`);
  if (parsed.success) {
    parsed.data.rotations.forEach((r, i) =>
      r.channels.forEach((c, k) => !channels.includes(c) && problems.push(`alarms.onCall.rotations.${i}.channels.${k}: no channel "${c}" under alarms.channels`)),
    );
  }
  if (problems.length) throw new Error(`on-call settings:\n  ${problems.join('\n  ')}`);
  return parsed.data!;
}
