/**
 * The half of nms that decides and serves, whoever observes: the alarm
 * engine and its journal, the SLA ledger, push delivery, planned work,
 * reports and their schedules, and the console. `nms up` runs it beside its
 * own pollers (role all); the centre of a province (role centre) runs it
 * over what the city pollers publish on the bus.
 */
import { join } from 'node:path';
import type { PointSink } from '../collectors/collector.ts';
import type { DeviceInventory } from '../shared/live/deviceInventory.ts';
import type { PollerStatus } from '../shared/bus/pollerStatus.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import type { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';
import { CONSOLE_USERS_FILE, DEMO_USERS_FILE } from '../shared/config/defaults.ts';
import { AlarmJournal } from './alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES, type AlarmRules } from './alarms/alarmRules.ts';
import { AlarmService } from './alarms/alarmService.ts';
import { alarmEventPoint } from './alarms/alarmHistory.ts';
import type { OnCallConfig } from './alarms/onCall.ts';
import { MaintenanceStore } from './alarms/maintenanceStore.ts';
import { OutageLedger } from './alarms/outageLedger.ts';
import type { ReportSources } from './reports/reportBuilder.ts';
import type { DailyDigests } from './reports/dailyDigests.ts';
import { ReportScheduler } from './reports/reportScheduler.ts';
import type { InfluxQuery } from './influx/store.ts';
import { DeliveryQueue } from './notifiers/deliveryQueue.ts';
import { buildChannels } from './notifiers/notifierRegistry.ts';
import { WebSocketHub } from './notifiers/websocketNotifier.ts';
import { parseOnCall } from './alarms/onCall.ts';
import { checkSchedules } from './reports/reportScheduler.ts';
import type { SecretSources } from '../shared/secret.ts';
import { startApiServer } from './http/apiServer.ts';
import { AuditLog } from './http/auditLog.ts';
import { configSummary } from './http/configSummary.ts';
import { UserDirectory } from './http/userDirectory.ts';
import { LiveFeed } from './http/liveFeed.ts';
import { buildWebAssets } from './http/webAssets.ts';
import { demoUsers } from './http/demoUsers.ts';

/**
 * What serving needs checked before anything starts (a bad push channel or
 * rota must not leave processes behind): the channels, the on-call rota and
 * the report schedules against them, and console users in production.
 * @throws Error saying what is wrong.
 */
export function checkServing(config: NmsConfig, topology: Topology, secrets: SecretSources) {
  const websocketHub = new WebSocketHub();
  const channels = buildChannels(config.alarms.channels, secrets, 'alarms.channels', { websocketHub });
  const onCall = parseOnCall(config.alarms.onCall, channels.map((c) => c.settings.name));
  checkSchedules(config.reports.schedules, { topology }, channels);
  // Demo logins are printed on the terminal: right for the demo, a leak for a real network.
  if (config.production && !config.console.users) throw new Error('console.users: production needs its console users in nms.yaml (a hash from `nms user hash` for each); demo logins are made only for the demo');
  return { websocketHub, channels, onCall };
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
  /** Each part started adds how to stop it. */
  stops: Array<() => Promise<void>>;
}

export async function startServing(i: ServingInputs) {
  const { config, topology, log, channels, onCall, writer, websocketHub, influxQuery, digests, live, stops } = i;
  const alarmsDir = join(config.dataDir, 'alarms');
  const journal = AlarmJournal.open(alarmsDir, log.child('alarms'));
  const ledger = OutageLedger.open(alarmsDir, topology, log.child('sla'));
  const delivery = new DeliveryQueue(channels, journal, log.child('notify'));
  const rules: AlarmRules = {
    ...DEFAULT_ALARM_RULES,
    ...(config.alarms.upstreamWaitSeconds !== null ? { upstreamWaitMs: config.alarms.upstreamWaitSeconds * 1000 } : {}),
    ...(config.alarms.clearAfterSeconds !== null ? { outageClearAfterMs: config.alarms.clearAfterSeconds * 1000 } : {}),
    ...(config.centre ? { pollerSilentMs: config.centre.silentAfterSeconds * 1000 } : {}),
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

  const feed = new LiveFeed(live, (message) => websocketHub.broadcast(message), { pollIntervalMs: i.pollIntervalMs });
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
      inventory: i.inventory,
      reports,
      configSummary: configSummary(config, topology),
      feed,
      web: await buildWebAssets(),
      influx: influxQuery,
      pollers: i.pollers ?? null,
    },
    { port: config.console.port, host: config.console.host },
  );
  stops.push(() => api.close());
  return { alarms, ledger, api, demo };
}
