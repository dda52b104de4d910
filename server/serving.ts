/**
 * The half of nms that decides and serves, whoever observes: the alarm
 * engine and its journal, the SLA ledger, push delivery, planned work,
 * reports and their schedules, and the console. `nms up` runs it beside its
 * own pollers (role all); the centre of a province (role centre) runs it
 * over what the city pollers publish on the bus.
 */
import { unknownSubjects } from './alarms/maintenanceStore.ts';
import { join } from 'node:path';
import type { PointSink } from '../collectors/collector.ts';
import type { DeviceInventory } from '../shared/live/deviceInventory.ts';
import type { PollerStatus } from '../shared/bus/pollerStatus.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import type { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';
import { CONSOLE_SESSION_KEY_FILE, CONSOLE_SESSIONS_FILE, CONSOLE_USERS_FILE, DEMO_USERS_FILE } from '../shared/config/defaults.ts';
import { ALARMS_DIR, alarmChannels, startAlarmHalf } from './alarms/alarmSetup.ts';
import type { AlarmServiceOptions } from './alarms/alarmService.ts';
import { alarmEventPoint } from './alarms/alarmHistory.ts';
import type { OnCallConfig } from './alarms/onCall.ts';
import { MaintenanceStore } from './alarms/maintenanceStore.ts';
import { OutageLedger } from './alarms/outageLedger.ts';
import type { ReportSources } from './reports/reportBuilder.ts';
import type { DailyDigests } from './reports/dailyDigests.ts';
import { ReportScheduler } from './reports/reportScheduler.ts';
import type { InfluxQuery } from './influx/store.ts';
import type { buildChannels } from './notifiers/notifierRegistry.ts';
import { WebSocketHub } from './notifiers/websocketNotifier.ts';
import { checkSchedules } from './reports/reportScheduler.ts';
import type { SecretSources } from '../shared/secret.ts';
import { startApiServer } from './http/apiServer.ts';
import type { ApiDeps } from './http/apiDeps.ts';
import { modelRevision } from '../shared/model/modelRevision.ts';
import { AuditLog } from './http/auditLog.ts';
import { configSummary } from './http/configSummary.ts';
import { SessionStore } from './http/sessions.ts';
import { UserDirectory } from './http/userDirectory.ts';
import { LiveFeed } from './http/liveFeed.ts';
import { buildWebAssets } from './http/webAssets.ts';
import { loadBasemap, type Basemap } from './http/basemap.ts';
import { demoUsers } from './http/demoUsers.ts';

/**
 * What serving needs checked before anything starts (a bad push channel or
 * rota must not leave processes behind): the channels, the on-call rota and
 * the report schedules against them, planned work against the topology,
 * and console users in production.
 * @throws Error saying what is wrong.
 */
export function checkServing(config: NmsConfig, topology: Topology, secrets: SecretSources) {
  const websocketHub = new WebSocketHub();
  const { channels, onCall } = alarmChannels(config, secrets, websocketHub);
  checkSchedules(config.reports.schedules, { topology }, channels);
  const unknown = config.alarms.maintenance.flatMap((w, i) =>
    unknownSubjects(topology, w.subjects).map((id) => `alarms.maintenance[${i}].subjects: no circuit, device or site "${id}" in ${config.topologyFile}`),
  );
  if (unknown.length) throw new Error(`maintenance windows:\n  ${unknown.join('\n  ')}`);
  // Demo logins are printed on the terminal: right for the demo, a leak for a real network.
  if (config.production && !config.console.users)
    throw new Error(
      'console.users: production needs its console users in nms.yaml (a hash from `nms user hash` for each); demo logins are made only for the demo',
    );
  // Outlines of the wrong place are left out, and said so once the log is there.
  const basemapNotes: string[] = [];
  const basemap = { map: loadBasemap(config.console.basemapFile, topology, (m) => basemapNotes.push(m)), notes: basemapNotes };
  return { websocketHub, channels, onCall, basemap };
}

export interface ServingInputs {
  config: NmsConfig;
  topology: Topology;
  log: Logger;
  channels: ReturnType<typeof buildChannels>;
  onCall: OnCallConfig | null;
  /** Where alarm history points go. */
  writer: PointSink;
  websocketHub: WebSocketHub;
  influxQuery: InfluxQuery | null;
  digests: DailyDigests | null;
  live: LiveState;
  /** How far apart fresh results are at most: the console's staleness rule. */
  pollIntervalMs: number;
  inventory: (deviceId: string) => Promise<DeviceInventory>;
  /** A province's centre: its city pollers, for the console. */
  pollers?: () => PollerStatus[];
  /** Which alarms this side may push (a centre leaves a city's own alarms to a poller that pushed them). */
  pushGate?: AlarmServiceOptions['pushGate'];
  /** The map's outlines, checked by checkServing, and what it had to say of them. */
  basemap: { map: Basemap | null; notes: string[] };
  /** Each part started adds how to stop it. */
  stops: Array<() => Promise<void>>;
}

export async function startServing(i: ServingInputs) {
  const { config, topology, log, channels, writer, websocketHub, influxQuery, digests, live, stops } = i;
  for (const note of i.basemap.notes) log.warn(note);
  const alarmsDir = join(config.dataDir, ALARMS_DIR);
  const ledger = OutageLedger.open(alarmsDir, topology, log.child('sla'));
  stops.push(async () => {
    ledger.checkpoint(Date.now());
    ledger.close();
  });
  const { alarms } = startAlarmHalf(i, {
    ledger,
    onEvent: (e, model) => {
      writer.write([alarmEventPoint(e, Date.now(), model)]);
      websocketHub.broadcast({ type: 'alarm', event: e.type, alarm: e.alarm });
    },
    ...(i.pushGate ? { pushGate: i.pushGate } : {}),
  });
  const maintenance = MaintenanceStore.open(alarmsDir, topology, config.alarms.maintenance, (all) => alarms.engine.setMaintenance(all));

  let reports: { sources: ReportSources; scheduler: ReportScheduler | null } | null = null;
  if (influxQuery && digests) {
    const sources: ReportSources = {
      topology,
      influx: influxQuery,
      ledger,
      activeAlarms: () => alarms.engine.active(),
      now: Date.now,
      thresholds: config.reports.capacity,
      digests,
    };
    const stopDigests = digests.keepCurrent(topology.network.timezone, log.child('reports'));
    stops.push(async () => stopDigests());
    const scheduler = config.reports.schedules.length
      ? new ReportScheduler({
          schedules: config.reports.schedules,
          sources,
          dir: join(config.dataDir, 'reports'),
          channels,
          consoleUrl: config.alarms.consoleUrl,
          timeZone: topology.network.timezone,
          log: log.child('reports'),
        })
      : null;
    scheduler?.start();
    if (scheduler) stops.push(() => scheduler.stop());
    reports = { sources, scheduler };
  }

  const feed = new LiveFeed(live, (message) => websocketHub.broadcast(message), { pollIntervalMs: i.pollIntervalMs });
  stops.push(async () => feed.close());
  const demo = config.console.users ? null : await demoUsers(join(config.dataDir, DEMO_USERS_FILE));
  const audit = new AuditLog(config.dataDir);
  stops.push(async () => audit.close());
  const users = new UserDirectory(config.console.users ?? demo!.users, join(config.dataDir, CONSOLE_USERS_FILE), config.console.users ? 'config' : 'demo');
  const sessions = new SessionStore({
    persist: { file: join(config.dataDir, CONSOLE_SESSIONS_FILE), keyFile: join(config.dataDir, CONSOLE_SESSION_KEY_FILE) },
    standing: (u) => users.standing(u),
    warn: (m) => log.warn(m),
  });
  stops.push(async () => sessions.flush());
  const deps: ApiDeps = {
    topology,
    live,
    alarms,
    users,
    sessions,
    audit,
    log: log.child('console'),
    hub: websocketHub,
    secureCookies: config.console.secureCookies,
    ledger,
    maintenance,
    inventory: i.inventory,
    reports,
    configSummary: configSummary(config, topology),
    feed,
    web: await buildWebAssets(),
    basemap: i.basemap.map,
    influx: influxQuery,
    pollers: i.pollers ?? null,
    modelRevision: modelRevision(topology),
  };
  const api = await startApiServer(deps, { port: config.console.port, host: config.console.host });
  stops.push(() => api.close());
  return { alarms, ledger, maintenance, api, deps, demo };
}
