/**
 * What an admin sees of the running configuration in the console. It is
 * built field by field from an allow-list, so a secret (a community, a v3
 * key, a robot token, an InfluxDB password) cannot reach the page by being
 * added to the config later. Changes are made in nms.yaml and take effect on
 * restart, whole, never half applied.
 */
import type { NmsConfig } from '../../shared/config/config.ts';
import type { Topology } from '../../shared/model/topology.ts';

export function configSummary(config: NmsConfig, topology: Topology): Record<string, unknown> {
  const influx = config.influx;
  return {
    configFile: config.file ?? '(embedded defaults)',
    topologyFile: config.topologyFile,
    dataDir: config.dataDir,
    production: config.production,
    influx:
      influx.mode === 'embedded'
        ? { mode: 'embedded', port: influx.port, database: influx.database }
        : influx.api === 1
          ? { mode: 'external', api: 1, database: influx.database }
          : { mode: 'external', api: 2, org: influx.org, bucket: influx.bucket },
    network: { sites: topology.sites.length, devices: topology.devices.length, circuits: topology.circuits.length },
    collector: { intervalSeconds: config.collector.intervalSeconds, maxInFlight: config.collector.maxInFlight },
    simulator: { enabled: config.simulator.enabled, speed: config.simulator.speed },
    alarms: {
      language: config.alarms.language,
      trapPort: config.alarms.trapPort,
      upstreamWaitSeconds: config.alarms.upstreamWaitSeconds,
      clearAfterSeconds: config.alarms.clearAfterSeconds,
      // Kind and name only: a channel's URL may carry its robot's access token.
      channels: config.alarms.channels.map((c) => ({ kind: String(c.kind ?? ''), name: typeof c.name === 'string' ? c.name : null })),
      onCall: config.alarms.onCall !== null,
      maintenanceWindows: config.alarms.maintenance.length,
    },
    reports: {
      capacity: config.reports.capacity,
      schedules: config.reports.schedules.map((s) => ({ name: s.name, every: s.every, scope: s.scope, formats: s.formats, channels: s.channels })),
    },
    console: { port: config.console.port, secureCookies: config.console.secureCookies, usersInConfig: config.console.users?.length ?? 0 },
  };
}
