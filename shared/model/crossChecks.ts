/**
 * Checks that need the whole file at once: unique ids, references between
 * sites, devices, profiles and circuits, the shape of the site tree, and
 * interfaces claimed twice. Each problem is reported; none stops the others.
 *
 * These run on the raw document even when the schema failed elsewhere, so a
 * typo in one circuit never hides a missing device in another. Values of the
 * wrong type are skipped here: the schema already reported them.
 */
import type { Diagnostic } from '../input/diagnostics.ts';
import type { SourceLocator, YamlPath } from '../input/sourceLocator.ts';
import { SITE_LEVELS, type SiteLevel } from './types.ts';

const INTERFACE_KEYS = ['ifName', 'ifDescr', 'ifAlias'] as const;

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const records = (v: unknown): Raw[] => (Array.isArray(v) ? v.map((x) => (isRecord(x) ? x : {})) : []);
const keys = (v: unknown): string[] => (isRecord(v) ? Object.keys(v) : []);

export function crossCheck(raw: unknown, at: SourceLocator): Diagnostic[] {
  if (!isRecord(raw)) return [];
  const out: Diagnostic[] = [];
  const report = (path: YamlPath, message: string) => out.push(at.diagnostic(path, message));
  const sites = records(raw.sites);
  const devices = records(raw.devices);
  const circuits = records(raw.circuits);
  const profiles = keys(raw.snmpProfiles);
  const tiers = keys(raw.slaTiers);

  const siteIndex = indexById('site', sites, ['sites'], at, out);
  const deviceIndex = indexById('device', devices, ['devices'], at, out);
  indexById('circuit', circuits, ['circuits'], at, out);

  checkSiteTree(sites, siteIndex, report);

  devices.forEach((d, i) => {
    const path = ['devices', i];
    const id = str(d.id) ?? `#${i}`;
    const site = str(d.site);
    if (site !== undefined && !siteIndex.has(site)) report([...path, 'site'], `unknown site "${site}"`);
    if (d.managed !== false) {
      if (d.address === undefined) report(path, `managed device "${id}" needs an address (or managed: false if we do not poll it)`);
      if (d.snmp === undefined) report(path, `managed device "${id}" needs an snmp profile`);
    }
    const snmp = str(d.snmp);
    if (snmp !== undefined && !profiles.includes(snmp)) {
      report([...path, 'snmp'], `unknown snmp profile "${snmp}" (defined: ${profiles.join(', ') || 'none'})`);
    }
  });

  const claimed = new Map<string, string>();
  circuits.forEach((c, i) => {
    const path = ['circuits', i];
    const id = str(c.id) ?? `#${i}`;
    const aManaged = isRecord(c.a) ? checkEnd(c.a, [...path, 'a'], true) : null;
    const zManaged = isRecord(c.z) ? checkEnd(c.z, [...path, 'z'], false) : null;
    if (aManaged === false && zManaged !== true) {
      report(path, `circuit "${id}" has no managed end, so nothing can measure it`);
    }
    const sla = str(c.sla);
    if (sla !== undefined && !tiers.includes(sla)) {
      report([...path, 'sla'], `unknown SLA tier "${sla}" (defined: ${tiers.join(', ') || 'none'})`);
    }
    if (isRecord(c.probe) && c.probe.address === undefined) {
      const zDevice = isRecord(c.z) ? str(c.z.device) : undefined;
      const zAt = zDevice === undefined ? undefined : deviceIndex.get(zDevice);
      if (zAt === undefined || devices[zAt]!.address === undefined) {
        report([...path, 'probe'], `circuit "${id}" asks for a probe, but its Z end has no address to probe; give probe.address (or probe: false)`);
      }
    }
    const owner = str(c.owner);
    const ownerAt = owner === undefined ? undefined : siteIndex.get(owner);
    if (owner !== undefined && ownerAt === undefined) report([...path, 'owner'], `unknown owner site "${owner}"`);
    else if (ownerAt !== undefined && sites[ownerAt]!.contact === undefined) {
      report([...path, 'owner'], `owner site "${owner}" has no contact; on-call staff need someone to call`);
    }

    /** Returns whether the end is a managed device, or null when it is external or broken. */
    function checkEnd(end: Raw, endPath: YamlPath, mustBeDevice: boolean): boolean | null {
      const named = INTERFACE_KEYS.filter((k) => end[k] !== undefined);
      if (end.external !== undefined) {
        if (mustBeDevice) report(endPath, 'the A end must be a device: it is the end the circuit hangs from in the tree');
        if (end.device !== undefined || named.length) report(endPath, 'an external end names no device or interface');
        return null;
      }
      const deviceId = str(end.device);
      if (end.device === undefined) {
        report(endPath, 'missing required key "device" (or "external" for a Z end outside our network)');
        return null;
      }
      const d = deviceId === undefined ? undefined : deviceIndex.get(deviceId);
      if (d === undefined) {
        if (deviceId !== undefined) report([...endPath, 'device'], `unknown device "${deviceId}"`);
        return null;
      }
      const managed = devices[d]!.managed !== false;
      if (named.length > 1) report(endPath, `name the interface once, by one of ${named.join(', ')}`);
      if (named.length === 0 && managed) {
        report(endPath, `name the interface on managed device "${deviceId}" by ifName, ifDescr or ifAlias`);
      }
      if (named.length === 1) {
        const key = `${deviceId}\u0000${named[0]}\u0000${String(end[named[0]!])}`;
        const other = claimed.get(key);
        if (other) report([...endPath, named[0]!], `interface already used by circuit "${other}"`);
        else claimed.set(key, id);
      }
      return managed;
    }
  });
  return out;
}

function indexById(kind: string, items: readonly Raw[], listPath: YamlPath, at: SourceLocator, out: Diagnostic[]): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    const id = str(item.id);
    if (id === undefined) return;
    const first = index.get(id);
    if (first === undefined) index.set(id, i);
    else {
      const firstLine = at.lineOf([...listPath, first, 'id']);
      out.push(at.diagnostic([...listPath, i, 'id'], `duplicate ${kind} id "${id}" (first defined at line ${firstLine})`));
    }
  });
  return index;
}

const LEVEL_RANK = new Map<unknown, number>(SITE_LEVELS.map((l, i) => [l, i]));

function checkSiteTree(sites: readonly Raw[], siteIndex: Map<string, number>, report: (path: YamlPath, message: string) => void): void {
  const reportedCycles = new Set<string>();
  sites.forEach((s, i) => {
    const path = ['sites', i];
    const level = LEVEL_RANK.has(s.level) ? (s.level as SiteLevel) : undefined;
    if (s.parent === undefined) {
      if (level !== undefined && level !== 'province' && level !== 'city') report(path, `a ${level} site needs a parent`);
      return;
    }
    const parentId = str(s.parent);
    if (parentId === undefined) return;
    const p = siteIndex.get(parentId);
    if (p === undefined) {
      report([...path, 'parent'], `unknown parent site "${parentId}"`);
      return;
    }
    const parentLevel = LEVEL_RANK.has(sites[p]!.level) ? (sites[p]!.level as SiteLevel) : undefined;
    if (level !== undefined && parentLevel !== undefined && LEVEL_RANK.get(parentLevel)! >= LEVEL_RANK.get(level)!) {
      report([...path, 'parent'], `a ${level} cannot sit under a ${parentLevel} ("${parentId}")`);
    }
    // Walk up; a walk that comes back to a site it passed is a cycle.
    const chain = [str(s.id) ?? `#${i}`];
    let cursor: string | undefined = parentId;
    while (cursor !== undefined && siteIndex.has(cursor)) {
      const seenAt = chain.indexOf(cursor);
      if (seenAt >= 0) {
        const cycle = chain.slice(seenAt);
        const key = [...cycle].sort().join(' ');
        if (!reportedCycles.has(key)) {
          reportedCycles.add(key);
          report(['sites', siteIndex.get(cursor)!, 'parent'], `site cycle: ${[...cycle, cursor].join(' → ')}`);
        }
        break;
      }
      chain.push(cursor);
      cursor = str(sites[siteIndex.get(cursor)!]!.parent);
    }
  });
}
