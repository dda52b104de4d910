/**
 * The network drawn as a graph: sites as nodes where the layout puts them,
 * circuits as links coloured by state (red down, amber dotted degraded,
 * green up, grey unknown),
 * thicker with utilization. A click on a link opens the circuit, a click on
 * a site opens its county. Labels are drawn on the canvas, and the tooltip's
 * HTML is built from escaped text only.
 */
import { GraphChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Circuit, Device, Site } from '../../../shared/model/types.ts';
import { escapeHtml } from '../dom.ts';
import { circuitTooltip, DRAW_ORDER, keepMap, lineStyle, shownUtilPct } from './mapParts.ts';
import type { ViewContext } from './view.ts';

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

export interface MapLayout {
  sites: readonly Site[];
  circuits: readonly Circuit[];
  position(site: Site): { x: number; y: number };
  /** Which sites carry a label (the rest show theirs on hover). */
  labelled(site: Site): boolean;
}

export function networkMap(ctx: ViewContext, box: HTMLElement, layout: MapLayout): { update(): void; dispose(): void } {
  const { data, lang } = ctx;
  const chart = echarts.init(box, undefined, { renderer: 'canvas' });
  // Links name their ends by the node's index: ECharts matches a string against node names, which repeat.
  const nodeIndex = new Map(layout.sites.map((s, i) => [s.id, i]));
  const links = layout.circuits.flatMap((c) => {
    const [from, to] = data.endSites(c);
    const [i, j] = [nodeIndex.get(from?.id ?? ''), nodeIndex.get(to?.id ?? '')];
    return i !== undefined && j !== undefined && i !== j ? [{ circuit: c, from: i, to: j }] : [];
  });
  const nodes = layout.sites.map((s) => ({
    id: s.id,
    name: s.name[lang],
    // Layouts work in degrees or units of one; ECharts draws links wrongly in so small a space.
    x: layout.position(s).x * 1000,
    y: layout.position(s).y * 1000,
    symbolSize: s.level === 'province' ? 16 : s.level === 'city' ? 20 : s.level === 'county' ? 13 : 6,
    itemStyle: { color: s.level === 'department' ? '#7fa7c9' : '#cfe3f5' },
    label: { show: layout.labelled(s), position: 'right', color: '#cfd8dc', fontSize: s.level === 'department' ? 10 : 12 },
  }));

  const update = () => {
    let downCount = 0;
    let degradedCount = 0;
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: (p: { dataType: string; data: { circuitId?: string; name?: string } }) =>
          p.dataType === 'node' ? escapeHtml(p.data.name ?? '') : circuitTooltip(ctx, p.data.circuitId ?? '', data.shownStatus(p.data.circuitId ?? '')),
      },
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          scaleLimit: { min: 0.5, max: 8 },
          data: nodes,
          // Down links are drawn last (on top) and thick, so one red link is never hidden under green ones.
          links: links
            .map(({ circuit, from, to }) => {
              const status = data.shownStatus(circuit.id);
              if (status === 'down') downCount++;
              if (status === 'degraded') degradedCount++;
              return { source: from, target: to, circuitId: circuit.id, status, lineStyle: lineStyle(status, shownUtilPct(ctx, circuit.id, status)) };
            })
            // Down links are drawn last, on top, and degraded ones just below them.
            .sort((a, b) => DRAW_ORDER[a.status] - DRAW_ORDER[b.status]),
          emphasis: { focus: 'adjacency', lineStyle: { width: 5 } },
        },
      ],
    });
    box.dataset.links = String(links.length);
    box.dataset.down = String(downCount);
    box.dataset.degraded = String(degradedCount);
  };
  // A department opens its county (or city): it has no page of its own.
  return keepMap(ctx, chart, update, (id) => {
    const site = data.sites.get(id);
    return site?.level === 'department' ? (site.countyId ?? site.cityId) : id;
  });
}

/**
 * The overview's layout. For one city, counties, the city and the province
 * are drawn in their true directions from the city with distances compressed
 * (a fisheye: the province's site 150 km away and a county 20 km away both
 * fit the screen). For a province, cities and counties are drawn to scale
 * round the middle of the cities. Departments sit in one building or town
 * with their parent, so at true scale they would be one dot and their links
 * invisible: they are drawn on rings round their county (or city), in the
 * direction they actually lie.
 */
export function geographicLayout(sites: readonly Site[], circuits: readonly Circuit[], devices: ReadonlyArray<Pick<Device, 'siteId' | 'role'>>): MapLayout {
  // The room with the core routers (the city's network control centre) is drawn on the city itself, where every county link starts.
  const coreSites = new Set(devices.filter((d) => d.role === 'core' || d.role === 'exit').map((d) => d.siteId));
  const hubs = new Set(sites.filter((x) => x.level === 'department' && x.parentId && coreSites.has(x.id)).map((x) => x.id));
  const cities = sites.filter((x) => x.level === 'city');
  const province = cities.length > 1;
  const mean = (k: 0 | 1) => cities.reduce((n, x) => n + x.location[k], 0) / Math.max(1, cities.length);
  const [c0, c1] = province ? [mean(0), mean(1)] : ((cities[0] ?? sites[0])?.location ?? [0, 0]);
  const cosLat = Math.cos((c1 * Math.PI) / 180);
  const offset = (x: Site) => ({ dx: (x.location[0] - c0) * cosLat, dy: x.location[1] - c1 });
  const anchors = sites.filter((x) => x.level !== 'department' || !x.parentId);
  // Distances as a share of the farthest site's (the province's own site is left out of a province's scale).
  const farthest = Math.max(1e-9, ...anchors.filter((x) => !province || x.level !== 'province').map((x) => Math.hypot(offset(x).dx, offset(x).dy)));
  const FISHEYE = province ? 1 : 0.4;
  const at = new Map<string, { x: number; y: number }>();
  for (const x of anchors) {
    const { dx, dy } = offset(x);
    const r = Math.hypot(dx, dy);
    const k = r === 0 ? 0 : Math.min(1.15, (r / farthest) ** FISHEYE) / r;
    at.set(x.id, { x: dx * k, y: -dy * k });
  }
  // Rings a quarter as wide as a county lies from its city, so they stay clear of each other.
  const gaps = sites
    .filter((x) => x.level === 'county' && x.parentId && at.has(x.parentId))
    .map((x) => Math.hypot(at.get(x.id)!.x - at.get(x.parentId!)!.x, at.get(x.id)!.y - at.get(x.parentId!)!.y))
    .sort((a, b) => a - b);
  const RING = Math.min(0.06, Math.max(0.008, 0.25 * (gaps[Math.floor(gaps.length / 2)] ?? 0.24)));
  const PER_RING = 14;
  const children = new Map<string, Site[]>();
  for (const x of sites) if (x.level === 'department' && x.parentId && !hubs.has(x.id)) children.set(x.parentId, [...(children.get(x.parentId) ?? []), x]);
  for (const [parentId, kids] of children) {
    const p = at.get(parentId) ?? { x: 0, y: 0 };
    const parent = sites.find((x) => x.id === parentId);
    const angle = (x: Site) => (parent ? Math.atan2(x.location[1] - parent.location[1], (x.location[0] - parent.location[0]) * cosLat) : 0);
    [...kids]
      .sort((a, b) => angle(a) - angle(b))
      .forEach((x, i) => {
        const ring = Math.floor(i / PER_RING);
        const onRing = Math.min(PER_RING, kids.length - ring * PER_RING);
        const a = (2 * Math.PI * (i % PER_RING)) / onRing + ring * 0.3;
        const r = RING * (1 + 0.7 * ring);
        at.set(x.id, { x: p.x + r * Math.cos(a), y: p.y - r * Math.sin(a) });
      });
  }
  for (const x of sites) if (hubs.has(x.id)) at.set(x.id, at.get(x.parentId!) ?? { x: 0, y: 0 });
  // A province has too many counties to name them all: cities and the province carry labels there.
  const labelled = (x: Site) => !hubs.has(x.id) && (province ? x.level === 'city' || x.level === 'province' : x.level !== 'department' || sites.length < 40);
  return { sites, circuits, position: (x) => at.get(x.id) ?? { x: 0, y: 0 }, labelled };
}
