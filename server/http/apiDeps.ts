/** What the console API is built from: the model, the live state, the stores, and what this server has of InfluxDB, reports and pollers. */
import type { PollerStatus } from '../../shared/bus/pollerStatus.ts';
import type { DeviceInventory } from '../../shared/live/deviceInventory.ts';
import type { LiveState } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { AlarmService } from '../alarms/alarmService.ts';
import type { MaintenanceStore } from '../alarms/maintenanceStore.ts';
import type { OutageLedger } from '../alarms/outageLedger.ts';
import type { InfluxQuery } from '../influx/store.ts';
import type { WebSocketHub } from '../notifiers/websocketNotifier.ts';
import type { ReportSources } from '../reports/reportBuilder.ts';
import type { ReportScheduler } from '../reports/reportScheduler.ts';
import type { AuditLog } from './auditLog.ts';
import type { Basemap } from './basemap.ts';
import type { LiveFeed } from './liveFeed.ts';
import type { SessionStore } from './sessions.ts';
import type { UserDirectory } from './userDirectory.ts';
import type { WebAssets } from './webAssets.ts';

export interface ApiDeps {
  /** The model served; `nms reload` replaces it (and modelRevision) in place, so routes read it per request. */
  topology: Topology;
  /** Names the model served: a page that loaded another one loads again. */
  modelRevision?: string;
  live: LiveState;
  alarms: AlarmService;
  users: UserDirectory;
  audit: AuditLog;
  log: Logger;
  hub?: WebSocketHub;
  /** Set the cookie's Secure flag (behind HTTPS). */
  secureCookies?: boolean;
  /** Shared with the WebSocket upgrade, which must see the same sessions. */
  sessions?: SessionStore;
  /** InfluxQL against the product's database (InfluxDB 1.x); null when writing through the v2 API only. */
  influx?: InfluxQuery | null;
  ledger?: OutageLedger | null;
  /** A device's interfaces and system strings, read from it on demand (the collector limits how often). */
  inventory?: ((deviceId: string) => Promise<DeviceInventory>) | null;
  /** Maintenance windows, listed and entered from the console. */
  maintenance?: MaintenanceStore | null;
  /** Bandwidth and SLA reports: made on demand from these sources, and those the schedules stored. */
  reports?: { sources: ReportSources; scheduler: ReportScheduler | null } | null;
  /** What an admin may see of the running configuration: built from an allow-list, never holding a secret. */
  configSummary?: Record<string, unknown> | null;
  /** Numbered live-status batches, for a browser catching up after a reconnect. */
  feed?: LiveFeed | null;
  /** The outlines the console's map is drawn on; none when the network is not the one they show. */
  basemap?: Basemap | null;
  /** The browser console; without it only the API is served. */
  web?: WebAssets | null;
  /** A province's centre: its city pollers (none for role all). */
  pollers?: (() => PollerStatus[]) | null;
  now?: () => number;
}
