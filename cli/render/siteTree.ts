/**
 * Renders the site tree (province → city → county → department) as text, with
 * the circuits each subtree owns, counted and summed by contracted bandwidth:
 * the figures a manager checks against the carriers' bills.
 */
import type { Topology } from '../../shared/model/topology.ts';
import { CARRIER_NAMES, SITE_LEVELS, type Circuit, type LocalizedName, type Site, type SiteLevel } from '../../shared/model/types.ts';
import { formatRate } from '../../shared/model/units.ts';

export type NameStyle = 'zh' | 'en' | 'both';

export interface SiteTreeOptions {
  names: NameStyle;
  /** Deepest level to show; deeper sites still count in their ancestors' totals. */
  maxLevel: SiteLevel;
  /** List each circuit under the site that owns it. */
  listCircuits: boolean;
}

const LEVEL_ZH: Record<SiteLevel, string> = { province: '省', city: '市', county: '县', department: '部门' };

export function renderSiteTree(topology: Topology, options: SiteTreeOptions): string {
  const lines: string[] = [];
  const maxRank = SITE_LEVELS.indexOf(options.maxLevel);
  const label = (n: LocalizedName) => (options.names === 'zh' ? n.zh : options.names === 'en' ? n.en : `${n.zh} ${n.en}`);
  const levelLabel = (l: SiteLevel) => (options.names === 'zh' ? LEVEL_ZH[l] : options.names === 'en' ? l : `${LEVEL_ZH[l]}/${l}`);

  const subtreeCircuits = new Map<string, Circuit[]>();
  const collect = (site: Site): Circuit[] => {
    const all = [...topology.circuitsOwnedBy(site.id), ...topology.children(site.id).flatMap(collect)];
    subtreeCircuits.set(site.id, all);
    return all;
  };
  topology.roots().forEach(collect);

  const visit = (site: Site, prefix: string, childPrefix: string) => {
    const circuits = subtreeCircuits.get(site.id) ?? [];
    const summary = circuits.length ? `  ${summarize(circuits, options.names)}` : '';
    lines.push(`${prefix}${label(site.name)} [${levelLabel(site.level)}]${summary}`);
    const children = topology.children(site.id).filter((c) => SITE_LEVELS.indexOf(c.level) <= maxRank);
    const own = options.listCircuits ? topology.circuitsOwnedBy(site.id) : [];
    const rows: Array<{ text?: string; site?: Site }> = [
      ...own.map((c) => ({ text: describeCircuit(c, options.names) })),
      ...children.map((s) => ({ site: s })),
    ];
    rows.forEach((row, i) => {
      const last = i === rows.length - 1;
      const branch = childPrefix + (last ? '└── ' : '├── ');
      const next = childPrefix + (last ? '    ' : '│   ');
      if (row.site) visit(row.site, branch, next);
      else lines.push(branch + row.text);
    });
  };
  for (const root of topology.roots()) visit(root, '', '');

  const total = topology.circuits;
  lines.push('', `${options.names === 'zh' ? '合计' : 'Total'}: ${summarize(total, options.names)}`);
  return lines.join('\n');
}

/** "12 circuits: 8×10M + 4×2M = 88M", largest rate first. */
export function summarize(circuits: readonly Circuit[], names: NameStyle): string {
  const byRate = new Map<number, number>();
  for (const c of circuits) byRate.set(c.bandwidthBps, (byRate.get(c.bandwidthBps) ?? 0) + 1);
  const parts = [...byRate.entries()].sort((a, b) => b[0] - a[0]).map(([bps, n]) => `${n}×${formatRate(bps)}`);
  const sum = formatRate(circuits.reduce((s, c) => s + c.bandwidthBps, 0));
  const noun = names === 'zh' ? '条电路' : circuits.length === 1 ? ' circuit' : ' circuits';
  return `${circuits.length}${noun}: ${parts.join(' + ')} = ${sum}`;
}

function describeCircuit(c: Circuit, names: NameStyle): string {
  const carrier = CARRIER_NAMES[c.carrier];
  const carrierLabel = names === 'zh' ? carrier.zh : names === 'en' ? carrier.en : `${carrier.zh} ${carrier.en}`;
  return `⇄ ${c.id} ${formatRate(c.bandwidthBps)} ${carrierLabel} ${c.carrierCircuitId}`;
}
