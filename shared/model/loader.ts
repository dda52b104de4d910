/**
 * Loads topology.yaml into the typed, validated network model. A file with any
 * problem never half-loads: every problem is reported together, each with
 * file:line:column and its YAML path, and no model is returned.
 */
import { SNMP_PORT } from '../net/managementAddress.ts';
import { crossCheck } from './crossChecks.ts';
import { InputFileError } from '../input/diagnostics.ts';
import { checkYaml, readInputFile } from '../input/validatedYaml.ts';
import { topologyFileSchema, type CircuitEndFile, type TopologyFile } from './fileSchema.ts';
import { Topology } from './topology.ts';
import {
  UDP_ECHO_PORT,
  type Circuit,
  type CircuitEnd,
  type CircuitProbe,
  type Device,
  type InterfaceRef,
  type Site,
  type SlaTier,
  type SnmpProfile,
} from './types.ts';

const DEFAULT_POLL_INTERVAL_S = 60;
/** As LibreNMS and Smokeping do: 20 echoes a minute, spread over the minute. */
export const DEFAULT_PROBE = { method: 'icmp', count: 20, intervalSeconds: 60 } as const;

/**
 * Reads and validates a topology file.
 * @throws InputFileError listing every problem; Error when the file cannot be read.
 */
export async function loadTopology(file: string): Promise<Topology> {
  return parseTopology(await readInputFile(file, 'topology file'), file);
}

/**
 * Validates topology text; `file` is used only in messages.
 * @throws InputFileError listing every problem.
 */
export function parseTopology(text: string, file: string): Topology {
  const { data, raw, problems, locator } = checkYaml(text, file, topologyFileSchema);
  // Cross-checks run even when the schema failed, so one run shows every problem.
  if (raw !== undefined) problems.push(...crossCheck(raw, locator));
  if (problems.length > 0 || data === undefined) throw new InputFileError(file, problems);
  return buildTopology(data, file);
}

function buildTopology(f: TopologyFile, file: string): Topology {
  const parentOf = new Map(f.sites.map((s) => [s.id, s.parent ?? null]));
  const levelOf = new Map(f.sites.map((s) => [s.id, s.level]));
  const ancestorAt = (siteId: string, level: Site['level']): string | null => {
    for (let id: string | null = siteId; id !== null; id = parentOf.get(id) ?? null) {
      if (levelOf.get(id) === level) return id;
    }
    return null;
  };
  const sites: Site[] = f.sites.map((s) => ({
    id: s.id,
    level: s.level,
    name: s.name,
    location: s.location,
    parentId: s.parent ?? null,
    contact: s.contact ?? null,
    countyId: ancestorAt(s.id, 'county'),
    cityId: ancestorAt(s.id, 'city'),
  }));

  const defaultInterval = f.defaults?.pollInterval ?? DEFAULT_POLL_INTERVAL_S;
  const devices: Device[] = f.devices.map((d) => ({
    id: d.id,
    name: d.name ?? null,
    siteId: d.site,
    role: d.role,
    vendor: d.vendor,
    model: d.model ?? null,
    managed: d.managed ?? true,
    address: d.address?.host ?? null,
    port: d.address?.port ?? d.port ?? SNMP_PORT,
    snmpProfile: d.snmp ?? null,
    pollIntervalSeconds: d.pollInterval ?? defaultInterval,
  }));
  const siteOfDevice = new Map(devices.map((d) => [d.id, d.siteId]));

  const zDevices = new Map<string, string[]>();
  for (const c of f.circuits) {
    if (c.z.device) zDevices.set(c.z.device, [...(zDevices.get(c.z.device) ?? []), c.id]);
  }
  const addressOf = new Map(f.devices.map((d) => [d.id, d.address ?? null]));
  const probeDefaults = f.defaults?.probe;
  const probeOf = (c: TopologyFile['circuits'][number]): CircuitProbe | null => {
    if (c.probe === false) return null;
    const own = c.probe ?? {};
    const zDevice = c.z.device ?? null;
    const target = own.address ?? (zDevice ? addressOf.get(zDevice) : null) ?? null;
    if (!target) return null;
    const method = own.method ?? probeDefaults?.method ?? DEFAULT_PROBE.method;
    return {
      address: target.host,
      // A device's address may name its SNMP port; the echo service has its own.
      port: method === 'udp-echo' ? (own.address?.port ?? UDP_ECHO_PORT) : null,
      method,
      count: own.count ?? probeDefaults?.count ?? DEFAULT_PROBE.count,
      intervalSeconds: own.interval ?? probeDefaults?.interval ?? DEFAULT_PROBE.intervalSeconds,
      deviceId: own.address ? null : zDevice,
    };
  };
  const circuits: Circuit[] = f.circuits.map((c) => {
    const z = toEnd(c.z);
    return {
      id: c.id,
      name: c.name ?? null,
      carrier: c.carrier,
      carrierCircuitId: c.carrierCircuitId,
      bandwidthBps: c.bandwidth,
      a: toEnd(c.a) as Circuit['a'],
      z,
      slaTier: c.sla,
      ownerSiteId: c.owner,
      upstreamIds: (zDevices.get(c.a.device!) ?? []).filter((id) => id !== c.id),
      level: z.kind === 'external' ? 'external' : levelOf.get(siteOfDevice.get(z.deviceId)!)!,
      probe: probeOf(c),
    };
  });

  const profiles = new Map<string, SnmpProfile>(
    Object.entries(f.snmpProfiles).map(([name, p]) => [
      name,
      p.version === '3'
        ? {
            name,
            version: '3',
            username: p.username,
            level: p.level,
            authProtocol: p.authProtocol ?? null,
            authKey: p.authKey ?? null,
            privProtocol: p.privProtocol ?? null,
            privKey: p.privKey ?? null,
          }
        : { name, version: p.version, community: p.community },
    ]),
  );
  const tiers = new Map<string, SlaTier>(
    Object.entries(f.slaTiers).map(([name, t]) => [
      name,
      {
        name,
        availabilityPct: t.availability,
        utilizationWarnPct: t.utilizationWarn,
        utilizationCriticalPct: t.utilizationCritical,
        quality: { latencyMs: t.latencyMs ?? null, lossPct: t.lossPct ?? null, jitterMs: t.jitterMs ?? null },
      },
    ]),
  );
  return new Topology(file, f.network, sites, devices, circuits, profiles, tiers);
}

function toEnd(end: CircuitEndFile): CircuitEnd {
  if (end.external) return { kind: 'external', name: end.external };
  const by = (['ifName', 'ifDescr', 'ifAlias'] as const).find((k) => end[k] !== undefined);
  const iface: InterfaceRef | null = by ? { by, value: end[by]! } : null;
  return { kind: 'device', deviceId: end.device!, iface };
}
