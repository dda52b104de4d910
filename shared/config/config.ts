/**
 * Product configuration. Everything has an embedded default, so a fresh clone
 * runs with no config file at all; nms.yaml (or --config / NMS_CONFIG) changes
 * what it names, and is validated like topology.yaml: unknown keys and inline
 * secrets are errors with file:line:column.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputFileError, type Diagnostic } from '../input/diagnostics.ts';
import type { SourceLocator } from '../input/sourceLocator.ts';
import { checkYaml, readInputFile } from '../input/validatedYaml.ts';
import type { MaintenanceWindow } from '../alarms/types.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { secretRefSchema } from '../input/secretRefSchema.ts';
import { durationSchema } from '../model/unitSchemas.ts';
import { REPORT_FORMATS, type ReportFormat } from '../reports/reportFormats.ts';
import { DEFAULT_CAPACITY_THRESHOLDS } from '../reports/reportModel.ts';
import { parseLoopbackHostPort, type HostPort } from '../net/loopback.ts';
import type { SecretRef } from '../secret.ts';
import {
  DEFAULT_CONFIG_FILE,
  DEFAULT_DATA_DIR,
  DEFAULT_DATABASE,
  DEFAULT_EMBEDDED_INFLUX_PORT,
  DEFAULT_SECRETS_FILE,
  DEFAULT_SIM_BASE_PORT,
  DEFAULT_SIM_CONTROL_PORT,
  DEFAULT_SIM_SEED,
  DEFAULT_TOPOLOGY_FILE,
  DEFAULT_TRAP_PORT,
  DEFAULT_CONSOLE_URL,
  DEFAULT_CONSOLE_PORT,
  DEFAULT_HEARTBEAT_S,
  DEFAULT_SILENT_AFTER_S,
  DEFAULT_HISTORY_DAYS,
} from './defaults.ts';

const loopbackHostPort = z.string().transform((text, ctx) => {
  try {
    return parseLoopbackHostPort(text, 'trap receiver');
  } catch (err) {
    ctx.issues.push({ code: 'custom', input: text, message: (err as Error).message });
    return z.NEVER;
  }
});
const port = z.number().int().min(0).max(65535);

const busName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be letters, digits, "-" or "_" (it names bus subjects and streams)' });
const natsUrl = z.string().regex(/^nats:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'must be nats://host:port' });

const configFileSchema = z.strictObject({
  /**
   * all: everything on one machine (the default). poller: a city's or
   * county's poller, publishing to the centre over the bus. centre: alarms,
   * ledger, reports and console over what the pollers publish.
   */
  role: z.enum(['all', 'poller', 'centre']).optional(),
  /** NATS JetStream, for the poller and centre roles. */
  bus: z
    .strictObject({
      servers: z.array(natsUrl).min(1),
      /** The JetStream domain of a poller's own leaf node, which keeps its stream while the uplink is down. */
      domain: busName.optional(),
      /** Copies of the centre's stream across its cluster. */
      replicas: z.number().int().min(1).max(5).optional(),
    })
    .optional(),
  /**
   * For role poller: its name on the bus. Its share (the sites whose devices
   * it polls), the topology and the polling and alarm rules are the centre's
   * (centre.pollers), fetched over the bus.
   */
  poller: z
    .strictObject({
      name: busName,
      /** How often it tells the centre it is alive, with its queue and spool depths. */
      heartbeat: durationSchema.optional(),
      /** Push the city's own alarms (alarms.channels here) while the centre is away; the centre then does not push them again. */
      localAlarms: z.boolean().optional(),
    })
    .optional(),
  /** For role centre: the pollers it listens to. */
  centre: z
    .strictObject({
      pollers: z.array(z.strictObject({ name: busName, sites: z.array(z.string().min(1)).min(1), domain: busName.optional() })).min(1),
      /** A poller unheard for this long is silent: one alarm, and its circuits unknown. */
      silentAfter: durationSchema.optional(),
    })
    .optional(),
  topology: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
  /** YAML map of secret names to values, git-ignored; referenced as { secret: name }. */
  secretsFile: z.string().min(1).optional(),
  /** Only in production may the collector reach addresses other than loopback. */
  production: z.boolean().optional(),
  influx: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
      /** 1: InfluxDB 1.x (/write, InfluxQL). 2: the v2 write API (InfluxDB 2.x/3.x, clusters). */
      api: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' }).optional(),
      database: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, { error: 'must be letters, digits, "_" or "-"' })
        .optional(),
      username: z.string().min(1).optional(),
      password: secretRefSchema.optional(),
      /** 0 picks a free loopback port (nms up says which). */
      embeddedPort: z.number().int().min(0).max(65535).optional(),
      org: z.string().min(1).optional(),
      bucket: z.string().min(1).optional(),
      token: secretRefSchema.optional(),
    })
    .optional(),
  /** Polling: every device's interval comes from topology.yaml unless overridden here. */
  collector: z
    .strictObject({
      // Below 10 s only for tests and diagnosis; a real WAN is polled every 10 s or slower.
      interval: durationSchema.optional(),
      maxInFlight: z.number().int().min(1).max(10_000).optional(),
      /** Overrides every circuit's probe round interval (tests and diagnosis). */
      probeInterval: durationSchema.optional(),
    })
    .optional(),
  /** The web console and its API. */
  console: z
    .strictObject({
      port: port.optional(),
      host: z.string().min(1).optional(),
      /** Set when the console is served behind HTTPS, so the session cookie is Secure. */
      secureCookies: z.boolean().optional(),
      /** GeoJSON outlines the map is drawn on (see web/basemaps/README.md); relative to this file. */
      basemap: z.string().min(1).optional(),
      users: z
        .array(
          z.strictObject({
            username: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be lower-case letters, digits, ".", "_" or "-"' }),
            role: z.enum(ROLES),
            passwordHash: z
              .string()
              .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, { error: 'must be a hash from `nms user hash`, never a password' }),
          }),
        )
        .optional(),
    })
    .optional(),
  /** Alarms: the trap receiver, how pushes are worded, and where they go. */
  alarms: z
    .strictObject({
      /** UDP port of the trap receiver (net-snmp cannot pick one: 0 is not allowed). */
      trapPort: z.number().int().min(1).max(65535).optional(),
      /** Address the trap receiver binds; loopback unless production. */
      trapAddress: z.string().min(1).optional(),
      /** The console's address, for the link in every push. */
      consoleUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
      language: z.enum(['zh', 'en']).optional(),
      /** How long a silent device's alarm waits for its path to be polled again. */
      upstreamWait: durationSchema.optional(),
      /** How long a circuit or device must be back before its alarm clears. */
      clearAfter: durationSchema.optional(),
      /** Circuit quality: the window of probe rounds judged together, how long it must be over a limit, and back under. */
      quality: z.strictObject({ window: durationSchema.optional(), sustain: durationSchema.optional(), clearAfter: durationSchema.optional() }).optional(),
      /** Push channels; each kind's keys are checked at start-up (see server/notifiers). */
      channels: z.array(z.looseObject({ name: z.string(), kind: z.string() })).optional(),
      /** The rota, escalation and quiet hours; checked at start-up (see server/alarms/onCall.ts). */
      onCall: z.looseObject({}).optional(),
      /** Planned work: no pushes, and excluded from SLA. Subjects are circuit, device or site ids. */
      maintenance: z
        .array(
          z
            .strictObject({
              subjects: z.array(z.string().min(1)).min(1),
              from: z.iso.datetime({ offset: true, error: 'must be a date and time with its zone, like 2026-11-28T22:00:00+08:00' }),
              to: z.iso.datetime({ offset: true, error: 'must be a date and time with its zone, like 2026-11-29T02:00:00+08:00' }),
              reason: z.string().min(1),
            })
            .refine((w) => Date.parse(w.from) < Date.parse(w.to), { path: ['to'], message: 'must be after from' }),
        )
        .optional(),
    })
    .optional(),
  /** Bandwidth and SLA reports: capacity thresholds, and reports made and sent on a schedule. */
  reports: z
    .strictObject({
      capacity: z
        .strictObject({
          /** Advise an upgrade when the 95th percentile is above this share of the contract (%). */
          upgradeAbove: z.number().gt(0).max(100).optional(),
          /** Call a circuit a downgrade candidate when even its peak stays below this share (%). */
          downgradeBelow: z.number().gt(0).max(100).optional(),
          topN: z.number().int().min(1).max(100).optional(),
        })
        .refine((c) => c.upgradeAbove === undefined || c.downgradeBelow === undefined || c.downgradeBelow < c.upgradeAbove, {
          path: ['downgradeBelow'],
          message: 'must be below upgradeAbove',
        })
        .optional(),
      schedules: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be lower-case letters, digits and "-"' }),
            /** daily at 08:00 for the day before, weekly on Monday, monthly on the 1st (network time zone). */
            every: z.enum(['daily', 'weekly', 'monthly']),
            /** network, circuit:ID, county:NAME or carrier:NAME; checked against topology.yaml at start-up. */
            scope: z.string().min(1).optional(),
            formats: z.array(z.enum(REPORT_FORMATS)).min(1).optional(),
            language: z.enum(['zh', 'en']).optional(),
            /** Names of email or webhook channels under alarms.channels. */
            channels: z.array(z.string().min(1)).optional(),
          }),
        )
        .refine((list) => new Set(list.map((x) => x.name)).size === list.length, { message: 'schedule names must be unique' })
        .optional(),
    })
    .optional(),
  /** The simulated network: on by default whenever the embedded defaults are in use. */
  simulator: z
    .strictObject({
      enabled: z.boolean().optional(),
      speed: z.number().gt(0).max(100_000).optional(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .optional(),
      /** First agent's UDP port; 0 gives every agent a free port. */
      basePort: port.optional(),
      controlPort: port.optional(),
      scenario: z.string().min(1).optional(),
      trapTo: z.array(loopbackHostPort).optional(),
      /** Days of simulated history written before the first start (managed InfluxDB only); 0 for none. */
      history: z.number().int().min(0).max(60).optional(),
      /** Keep every slot's rates in the history's ground truth (tests; about 35 MB a day for the demo city). */
      historyTruth: z.boolean().optional(),
    })
    .optional(),
});

/**
 * The rules that tie influx keys to the API version. They look only at which
 * keys are present, so they run on the raw file even when a value is wrong
 * (an inline token, say), and one run shows every problem.
 */
function influxKeyRules(raw: unknown, at: SourceLocator): Diagnostic[] {
  const influx = (raw as { influx?: unknown } | null)?.influx;
  if (typeof influx !== 'object' || influx === null) return [];
  const i = influx as Record<string, unknown>;
  const out: Diagnostic[] = [];
  const v2Keys = ['org', 'bucket', 'token'];
  const v1Keys = ['database', 'username', 'password', 'embeddedPort'];
  if (i.api === 2) {
    for (const k of ['url', ...v2Keys]) if (i[k] === undefined) out.push(at.diagnostic(['influx'], `api 2 needs ${k}`));
    for (const k of v1Keys) if (i[k] !== undefined) out.push(at.diagnostic(['influx', k], `api 2 does not use ${k}; give org, bucket and token`));
  } else {
    for (const k of v2Keys) if (i[k] !== undefined) out.push(at.diagnostic(['influx', k], `${k} is for api 2 (the v2 write API); set api: 2`));
  }
  return out;
}

/** Which sections each role needs and allows, and the bus on loopback outside production; on the raw file, so every problem shows at once. */
function roleRules(raw: unknown, at: SourceLocator): Diagnostic[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const r = raw as Record<string, unknown>;
  const role = typeof r.role === 'string' ? r.role : 'all';
  const out: Diagnostic[] = [];
  const need = (key: string, what: string) => r[key] === undefined && out.push(at.diagnostic(['role'], `role ${role} needs ${key}: ${what}`));
  const refuse = (key: string, forRole: string) =>
    r[key] !== undefined && out.push(at.diagnostic([key], `${key}: is for role ${forRole}; this is role ${role}`));
  if (role !== 'all') need('bus', '{ servers: [nats://…] }');
  if (role === 'poller') need('poller', '{ name }');
  if (role === 'poller') {
    // The centre's, so that no city runs a diverging copy (they come over the bus).
    const centres = (path: Array<string | number>, what: string) =>
      out.push(at.diagnostic(path, `${what} is the centre's: a poller is given it over the bus (centre.pollers and the centre's nms.yaml); remove it here`));
    if (r.topology !== undefined) centres(['topology'], 'the topology');
    if (r.collector !== undefined) centres(['collector'], 'what is polled when');
    if ((r.poller as { sites?: unknown } | undefined)?.sites !== undefined) centres(['poller', 'sites'], "a poller's share");
    const alarms = r.alarms as Record<string, unknown> | undefined;
    for (const key of ['upstreamWait', 'clearAfter', 'quality', 'maintenance']) if (alarms?.[key] !== undefined) centres(['alarms', key], `alarms.${key}`);
  }
  if (role === 'centre') need('centre', '{ pollers: [{ name, sites }] }');
  if (role !== 'poller') refuse('poller', 'poller');
  if (role !== 'centre') refuse('centre', 'centre');
  if (role === 'all') refuse('bus', 'poller or centre');
  const channels = (r.alarms as { channels?: unknown } | undefined)?.channels;
  if ((r.poller as { localAlarms?: unknown } | undefined)?.localAlarms === true && !(Array.isArray(channels) && channels.length > 0)) {
    out.push(at.diagnostic(['poller', 'localAlarms'], 'localAlarms: true pushes through alarms.channels, and this file names none'));
  }
  const servers = (r.bus as { servers?: unknown } | undefined)?.servers;
  if (r.production !== true && Array.isArray(servers)) {
    servers.forEach((u, i) => {
      if (typeof u === 'string' && !/^nats:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost):/.test(u)) {
        out.push(at.diagnostic(['bus', 'servers', i], `${u} is not on loopback; outside production (production: true) the bus is on 127.0.0.0/8 or ::1`));
      }
    });
  }
  return out;
}

export type InfluxConfig =
  | { mode: 'embedded'; port: number; database: string }
  | { mode: 'external'; api: 1; url: string; database: string; username: string | null; password: SecretRef | null }
  | { mode: 'external'; api: 2; url: string; org: string; bucket: string; token: SecretRef };

export type ProductRole = 'all' | 'poller' | 'centre';

export interface BusConfig {
  servers: string[];
  domain: string | null;
  replicas: number;
}

export interface PollerShare {
  name: string;
  sites: string[];
  domain: string | null;
}

export interface NmsConfig {
  /** The config file read, or null when running on embedded defaults. */
  file: string | null;
  role: ProductRole;
  bus: BusConfig | null;
  /** Role poller: who it is and what it owns. */
  poller: { name: string; heartbeatSeconds: number; localAlarms: boolean } | null;
  /** Role centre: the pollers it hears. */
  centre: { pollers: PollerShare[]; silentAfterSeconds: number } | null;
  topologyFile: string;
  dataDir: string;
  secretsFile: string;
  production: boolean;
  influx: InfluxConfig;
  simulator: SimulatorConfig;
  collector: { intervalSeconds: number | null; maxInFlight: number; probeIntervalSeconds: number | null };
  alarms: AlarmsConfig;
  console: ConsoleConfig;
  reports: ReportsConfig;
}

export interface ReportSchedule {
  name: string;
  every: 'daily' | 'weekly' | 'monthly';
  scope: string;
  formats: ReportFormat[];
  language: 'zh' | 'en';
  channels: string[];
}

export interface ReportsConfig {
  capacity: { upgradeP95Pct: number; downgradePeakPct: number; topN: number };
  schedules: ReportSchedule[];
}

export interface ConsoleConfig {
  port: number;
  host: string;
  secureCookies: boolean;
  /** The map's outlines; null for the ones shipped in web/basemaps, chosen by the network's scale. */
  basemapFile: string | null;
  /** Null when none are configured: the demo then makes its own. */
  users: Array<{ username: string; role: Role; passwordHash: string }> | null;
}

export interface AlarmsConfig {
  trapPort: number;
  trapAddress: string;
  consoleUrl: string;
  language: 'zh' | 'en';
  upstreamWaitSeconds: number | null;
  clearAfterSeconds: number | null;
  quality: { windowSeconds: number | null; sustainSeconds: number | null; clearAfterSeconds: number | null };
  /** Raw channel entries, validated by the notifier registry at start-up. */
  channels: Array<Record<string, unknown>>;
  /** Raw on-call settings, validated at start-up; null when none. */
  onCall: Record<string, unknown> | null;
  maintenance: MaintenanceWindow[];
}

export interface SimulatorConfig {
  enabled: boolean;
  speed: number;
  seed: number;
  basePort: number;
  controlPort: number;
  scenarioFile: string | null;
  trapTo: HostPort[];
  /** Days of history written before the first start (see server/demo/demoHistory.ts). */
  historyDays: number;
  historyTruth: boolean;
  /** sim.json (endpoint map and control URL) and the ground truth live here. */
  stateDir: string;
}

export interface ConfigSources {
  /** --config on the command line. */
  explicitFile?: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/**
 * Finds and reads the configuration: --config, else NMS_CONFIG, else nms.yaml
 * in the working folder if present, else embedded defaults. NMS_INFLUX_URL
 * overrides influx.url. Relative paths are relative to the config file.
 * @throws InputFileError for a bad file; Error when a named file is missing.
 */
export async function loadConfig({ explicitFile, env, cwd }: ConfigSources): Promise<NmsConfig> {
  const named = explicitFile ?? env.NMS_CONFIG;
  const implicit = resolve(cwd, DEFAULT_CONFIG_FILE);
  const file = named !== undefined ? resolve(cwd, named) : existsSync(implicit) ? implicit : null;
  let data: z.output<typeof configFileSchema> = {};
  if (file) {
    const checked = checkYaml(await readInputFile(file, 'config file'), file, configFileSchema);
    if (checked.raw !== undefined) checked.problems.push(...influxKeyRules(checked.raw, checked.locator), ...roleRules(checked.raw, checked.locator));
    if (checked.problems.length > 0 || checked.data === undefined) throw new InputFileError(file, checked.problems);
    data = checked.data;
  }
  const base = file ? dirname(file) : cwd;

  const influx = data.influx ?? {};
  const url = env.NMS_INFLUX_URL || influx.url;
  const database = influx.database ?? DEFAULT_DATABASE;
  const production = data.production ?? false;
  const dataDir = resolve(base, env.NMS_DATA_DIR || data.dataDir || DEFAULT_DATA_DIR);
  const sim = data.simulator ?? {};
  const role = data.role ?? 'all';
  return {
    file,
    role,
    bus: data.bus ? { servers: data.bus.servers, domain: data.bus.domain ?? null, replicas: data.bus.replicas ?? 1 } : null,
    poller: data.poller
      ? { name: data.poller.name, heartbeatSeconds: data.poller.heartbeat ?? DEFAULT_HEARTBEAT_S, localAlarms: data.poller.localAlarms ?? false }
      : null,
    centre: data.centre
      ? {
          pollers: data.centre.pollers.map((p) => ({ name: p.name, sites: p.sites, domain: p.domain ?? null })),
          silentAfterSeconds: data.centre.silentAfter ?? DEFAULT_SILENT_AFTER_S,
        }
      : null,
    topologyFile: resolve(base, data.topology ?? DEFAULT_TOPOLOGY_FILE),
    dataDir,
    secretsFile: resolve(base, data.secretsFile ?? DEFAULT_SECRETS_FILE),
    production,
    collector: {
      intervalSeconds: data.collector?.interval ?? null,
      maxInFlight: data.collector?.maxInFlight ?? 64,
      probeIntervalSeconds: data.collector?.probeInterval ?? null,
    },
    console: {
      port: data.console?.port ?? DEFAULT_CONSOLE_PORT,
      host: data.console?.host ?? '127.0.0.1',
      secureCookies: data.console?.secureCookies ?? false,
      basemapFile: data.console?.basemap ? resolve(base, data.console.basemap) : null,
      users: data.console?.users ?? null,
    },
    alarms: {
      trapPort: data.alarms?.trapPort ?? DEFAULT_TRAP_PORT,
      // A real network's devices send to the server's own address; the demo stays on loopback.
      trapAddress: data.alarms?.trapAddress ?? (production ? '0.0.0.0' : '127.0.0.1'),
      consoleUrl: data.alarms?.consoleUrl ?? DEFAULT_CONSOLE_URL,
      language: data.alarms?.language ?? 'zh',
      upstreamWaitSeconds: data.alarms?.upstreamWait ?? null,
      clearAfterSeconds: data.alarms?.clearAfter ?? null,
      quality: {
        windowSeconds: data.alarms?.quality?.window ?? null,
        sustainSeconds: data.alarms?.quality?.sustain ?? null,
        clearAfterSeconds: data.alarms?.quality?.clearAfter ?? null,
      },
      channels: data.alarms?.channels ?? [],
      onCall: data.alarms?.onCall ?? null,
      maintenance: (data.alarms?.maintenance ?? []).map((w) => ({
        subjects: w.subjects,
        fromMs: Date.parse(w.from),
        toMs: Date.parse(w.to),
        reason: w.reason,
      })),
    },
    reports: {
      capacity: {
        upgradeP95Pct: data.reports?.capacity?.upgradeAbove ?? DEFAULT_CAPACITY_THRESHOLDS.upgradeP95Pct,
        downgradePeakPct: data.reports?.capacity?.downgradeBelow ?? DEFAULT_CAPACITY_THRESHOLDS.downgradePeakPct,
        topN: data.reports?.capacity?.topN ?? DEFAULT_CAPACITY_THRESHOLDS.topN,
      },
      schedules: (data.reports?.schedules ?? []).map((s) => ({
        name: s.name,
        every: s.every,
        scope: s.scope ?? 'network',
        formats: s.formats ?? ['pdf', 'xlsx'],
        language: s.language ?? 'zh',
        channels: s.channels ?? [],
      })),
    },
    simulator: {
      // The demo network comes with the embedded defaults; a production install never starts it unasked.
      enabled: sim.enabled ?? (!url && !production),
      speed: sim.speed ?? 1,
      seed: sim.seed ?? DEFAULT_SIM_SEED,
      basePort: sim.basePort ?? DEFAULT_SIM_BASE_PORT,
      controlPort: sim.controlPort ?? DEFAULT_SIM_CONTROL_PORT,
      scenarioFile: sim.scenario ? resolve(base, sim.scenario) : null,
      trapTo: sim.trapTo ?? [],
      historyDays: sim.history ?? DEFAULT_HISTORY_DAYS,
      historyTruth: sim.historyTruth ?? false,
      stateDir: resolve(dataDir, 'sim'),
    },
    influx:
      influx.api === 2
        ? { mode: 'external', api: 2, url: url!, org: influx.org!, bucket: influx.bucket!, token: influx.token! }
        : url
          ? { mode: 'external', api: 1, url, database, username: influx.username ?? null, password: influx.password ?? null }
          : { mode: 'embedded', port: influx.embeddedPort ?? DEFAULT_EMBEDDED_INFLUX_PORT, database },
  };
}
