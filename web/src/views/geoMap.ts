/**
 * The network on its real map: the county (or, for a province, city)
 * outlines with their names, sites at their coordinates, and the lines
 * between city, counties and province coloured by state, down and degraded
 * ones drawn last, on top. A department sits in its county's town, so at
 * true scale a hundred of them are one smudge: each county (or city) node
 * stands for its departments instead, its size for how many, its colour and
 * label for the worst of their lines ("衡南县 12 · 2 断"). Drawn as SVG, so the
 * outlines are paths a test can count. Without outlines for this network,
 * the overview keeps the schematic map (networkMap.ts).
 */
import { GraphChart } from 'echarts/charts';
import { GeoComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import type { BasemapGeoJson } from '../../../shared/map/basemap.ts';
import { CARRIER_NAMES, type Circuit, type Site } from '../../../shared/model/types.ts';
import type { ShownStatus } from '../consoleData.ts';
import { escapeHtml, formatTraffic } from '../dom.ts';
import { t } from '../i18n.ts';
import { geographicLayout, networkMap } from './networkMap.ts';
import { circuitRoute, siteRoute, STATUS_COLOURS, type ViewContext } from './view.ts';

echarts.use([GraphChart, GeoComponent, TooltipComponent, SVGRenderer, LabelLayout]);

const DRAW_ORDER = { up: 0, unknown: 1, degraded: 2, down: 3 } as const;
const MAP_NAME = 'nms-basemap';

/** The site a department's line is drawn at: its county or city, the nearest site drawn on the map. */
function anchorOf(site: Site, sites: ReadonlyMap<string, Site>): Site {
  let s = site;
  while (s.level === 'department' && s.parentId && sites.has(s.parentId)) s = sites.get(s.parentId)!;
  return s;
}

/**
 * Each site's point on the map: where it is, or, for a site beyond the
 * outlines (the province's centre, say, 130 km off), on their edge in its
 * true direction, so it and its line stay in sight.
 */
function placeOnMap(basemap: BasemapGeoJson, sites: readonly Site[]): Map<string, [number, number]> {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [x, y] = c as [number, number];
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    } else for (const inner of c as unknown[]) visit(inner);
  };
  for (const f of basemap.features) visit(f.geometry.coordinates);
  const [cx, cy, hw, hh] = [(x0 + x1) / 2, (y0 + y1) / 2, ((x1 - x0) / 2) * 1.04, ((y1 - y0) / 2) * 1.04];
  return new Map(
    sites.map((s) => {
      const [dx, dy] = [s.location[0] - cx, s.location[1] - cy];
      const k = Math.max(Math.abs(dx) / hw, Math.abs(dy) / hh, 1);
      return [s.id, [cx + dx / k, cy + dy / k]];
    }),
  );
}

export function geoMap(ctx: ViewContext, box: HTMLElement, basemap: BasemapGeoJson): { update(): void; dispose(): void } {
  const { data, lang } = ctx;
  echarts.registerMap(MAP_NAME, basemap as never);
  const chart = echarts.init(box, undefined, { renderer: 'svg' });
  const sites = data.sites;
  const drawn = data.topology.sites.filter((s) => s.level !== 'department' || !s.parentId || !sites.has(s.parentId));
  const nodeIndex = new Map(drawn.map((s, i) => [s.id, i]));
  // Lines between drawn sites; a department's line belongs to the node of its county or city.
  const lines: Array<{ circuit: Circuit; from: number; to: number }> = [];
  const grouped = new Map<string, Circuit[]>();
  for (const c of data.topology.circuits) {
    const [a, z] = data.endSites(c).map((s) => (s ? anchorOf(s, sites) : undefined));
    if (!a || !z) continue;
    if (a.id === z.id) grouped.set(a.id, [...(grouped.get(a.id) ?? []), c]);
    else lines.push({ circuit: c, from: nodeIndex.get(a.id)!, to: nodeIndex.get(z.id)! });
  }
  const province = data.topology.sites.filter((s) => s.level === 'city').length > 1;
  // Every line whose far end lies in a city (its counties' departments and uplinks included), for a province's city labels.
  const cityGroups = new Map<string, Circuit[]>();
  for (const c of data.topology.circuits) {
    const city = data.endSites(c)[1]?.cityId;
    if (city) cityGroups.set(city, [...(cityGroups.get(city) ?? []), c]);
  }
  const departments = new Map<string, number>();
  for (const s of data.topology.sites)
    if (s.level === 'department' && s.parentId) departments.set(anchorOf(s, sites).id, (departments.get(anchorOf(s, sites).id) ?? 0) + 1);
  box.dataset.regions = String(basemap.features.length);
  const at = placeOnMap(basemap, drawn);
  // The city's districts sit round its centre, too close to name them all: a quiet one near a busier site goes unnamed.
  const spread = Math.max(...drawn.map((s) => at.get(s.id)![0])) - Math.min(...drawn.map((s) => at.get(s.id)![0]));
  const weight = (s: Site) => (departments.get(s.id) ?? 0) + (s.level === 'city' ? 1_000 : 0);
  const crowded = new Set(
    drawn
      .filter((s) =>
        drawn.some(
          (o) => o !== s && weight(o) > weight(s) && Math.hypot(at.get(o.id)![0] - at.get(s.id)![0], at.get(o.id)![1] - at.get(s.id)![1]) < 0.08 * spread,
        ),
      )
      .map((s) => s.id),
  );
  // A region is named on the map unless a site of the same name is drawn on it (its label says it).
  const siteNames = new Set(drawn.map((s) => s.name.zh));
  const regions = basemap.features.map((f) => ({ name: f.properties.name, label: { show: !siteNames.has(f.properties.name) } }));
  // Labels that would overlap give way: the worst off and the busiest first.
  const priority = (s: Site, worst: ShownStatus) => DRAW_ORDER[worst] * 10_000 + (departments.get(s.id) ?? 0) + (s.level === 'city' ? 5_000 : 0);

  const update = () => {
    const status = new Map<string, ShownStatus>(data.topology.circuits.map((c) => [c.id, data.shownStatus(c.id)]));
    const worstOf = (cs: readonly Circuit[]) => cs.map((c) => status.get(c.id)!).reduce<ShownStatus>((w, s) => (DRAW_ORDER[s] > DRAW_ORDER[w] ? s : w), 'up');
    const count = (cs: readonly Circuit[], s: ShownStatus) => cs.filter((c) => status.get(c.id) === s).length;
    const nodes = drawn
      .map((s) => {
        // At province scale a city speaks for its counties too: 119 county labels would bury the map.
        const group = province && s.level === 'city' ? (cityGroups.get(s.id) ?? []) : (grouped.get(s.id) ?? []);
        const worst = worstOf(group);
        const n = departments.get(s.id) ?? 0;
        const down = count(group, 'down');
        const degraded = count(group, 'degraded');
        const marks = [down ? `${down} ${t(lang, 'downShort')}` : '', degraded ? `${degraded} ${t(lang, 'degradedShort')}` : ''].filter(Boolean).join(' · ');
        return {
          id: s.id,
          name: s.name[lang],
          value: at.get(s.id)!,
          worst,
          symbolSize: (s.level === 'city' ? 14 : s.level === 'province' ? 12 : 9) + Math.min(16, Math.sqrt(n) * 2),
          itemStyle: {
            color: worst === 'down' || worst === 'degraded' ? STATUS_COLOURS[worst] : s.level === 'department' ? '#7fa7c9' : '#cfe3f5',
            borderColor: '#0e1821',
            borderWidth: 1,
          },
          // Nodes with a line down are drawn over the others.
          z: DRAW_ORDER[worst],
          label: {
            show: province ? s.level === 'city' || s.level === 'province' : s.level !== 'department' && (worst !== 'up' || !crowded.has(s.id)),
            position: 'right',
            color: worst === 'down' ? STATUS_COLOURS.down : '#e3ebf0',
            fontSize: 12,
            formatter: `${s.name[lang]}${n ? ` ${n} ${t(lang, 'departmentsShort')}` : ''}${marks ? ` · ${marks}` : ''}`,
          },
          group: group.map((c) => c.id),
          priority: priority(s, worst),
        };
      })
      .sort((a, b) => b.priority - a.priority);
    const indexOf = new Map(nodes.map((n, i) => [n.id, i]));
    const links = lines
      .map(({ circuit, from, to }) => {
        const st = status.get(circuit.id)!;
        const l = data.trafficShown(circuit.id, st);
        const util = Math.min(100, Math.max(l?.inUtilPct ?? 0, l?.outUtilPct ?? 0));
        return {
          source: indexOf.get(drawn[from]!.id)!,
          target: indexOf.get(drawn[to]!.id)!,
          circuitId: circuit.id,
          status: st,
          lineStyle: {
            color: STATUS_COLOURS[st],
            width: st === 'down' ? 3.5 : st === 'degraded' ? 3 : 1.2 + util / 30,
            opacity: st === 'down' || st === 'degraded' ? 1 : 0.8,
            type: st === 'unknown' ? 'dashed' : st === 'degraded' ? 'dotted' : 'solid',
          },
        };
      })
      .sort((a, b) => DRAW_ORDER[a.status] - DRAW_ORDER[b.status]);
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: (p: { dataType: string; data: { circuitId?: string; name?: string; group?: string[] } }) => {
          if (p.dataType === 'node') {
            const bad = (p.data.group ?? []).filter((id) => status.get(id) === 'down' || status.get(id) === 'degraded');
            const rows = bad.map((id) => `${id} ${data.circuits.get(id)?.name?.[lang] ?? ''}: ${t(lang, status.get(id)!)}`);
            return [p.data.name ?? '', ...rows].map(escapeHtml).join('<br>');
          }
          const c = data.circuits.get(p.data.circuitId ?? '');
          if (!c) return '';
          const st = status.get(c.id)!;
          const l = data.trafficShown(c.id, st);
          return [
            `${c.id} ${c.name?.[lang] ?? ''}`,
            `${CARRIER_NAMES[c.carrier][lang]} ${c.carrierCircuitId}`,
            `${t(lang, 'status')}: ${t(lang, st)}`,
            `${t(lang, 'inbound')} ${formatTraffic(l?.inBps)} / ${t(lang, 'outbound')} ${formatTraffic(l?.outBps)}`,
          ]
            .map(escapeHtml)
            .join('<br>');
        },
      },
      geo: {
        map: MAP_NAME,
        regions,
        roam: true,
        scaleLimit: { min: 0.6, max: 12 },
        itemStyle: { areaColor: '#162331', borderColor: '#4f6f8c', borderWidth: 1 },
        label: { show: true, color: '#6d8499', fontSize: 11 },
        emphasis: { disabled: true },
        select: { disabled: true },
        tooltip: { show: false },
      },
      series: [
        {
          type: 'graph',
          coordinateSystem: 'geo',
          layout: 'none',
          data: nodes,
          links,
          labelLayout: { hideOverlap: true },
          emphasis: { focus: 'adjacency', lineStyle: { width: 5 } },
        },
      ],
    });
    box.dataset.links = String(lines.length);
    box.dataset.down = String([...status.values()].filter((s) => s === 'down').length);
    box.dataset.degraded = String([...status.values()].filter((s) => s === 'degraded').length);
  };
  chart.on('click', (p) => {
    const d = p.data as { circuitId?: string; id?: string };
    if (p.dataType === 'edge' && d.circuitId) ctx.go(circuitRoute(d.circuitId));
    else if (p.dataType === 'node' && d.id) ctx.go(siteRoute(d.id));
  });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  update();
  return {
    update,
    dispose: () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    },
  };
}

/** The whole network's map for the overview and the wall: on its outlines when the server has them, else schematic. */
export function overviewMap(ctx: ViewContext, box: HTMLElement): { update(): void; dispose(): void } {
  const { data } = ctx;
  return data.basemap
    ? geoMap(ctx, box, data.basemap)
    : networkMap(ctx, box, geographicLayout(data.topology.sites, data.topology.circuits, data.topology.devices));
}
