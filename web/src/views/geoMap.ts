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
import { basemapBounds, type BasemapGeoJson } from '../../../shared/map/basemap.ts';
import type { Circuit, Site } from '../../../shared/model/types.ts';
import type { ShownStatus } from '../consoleData.ts';
import { escapeHtml } from '../dom.ts';
import { t } from '../i18n.ts';
import { circuitTooltip, DRAW_ORDER, keepMap, lineStyle, shownUtilPct } from './mapParts.ts';
import { geographicLayout, networkMap } from './networkMap.ts';
import { STATUS_COLOURS, type ViewContext } from './view.ts';

echarts.use([GraphChart, GeoComponent, TooltipComponent, SVGRenderer, LabelLayout]);

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
  const [x0, y0, x1, y1] = basemapBounds(basemap);
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
  // Lines between drawn sites; a department's line belongs to the node of its county or city.
  const lines: Array<{ circuit: Circuit; from: string; to: string }> = [];
  const grouped = new Map<string, Circuit[]>();
  for (const c of data.topology.circuits) {
    const [a, z] = data.endSites(c).map((s) => (s ? anchorOf(s, sites) : undefined));
    if (!a || !z) continue;
    if (a.id === z.id) grouped.set(a.id, [...(grouped.get(a.id) ?? []), c]);
    else lines.push({ circuit: c, from: a.id, to: z.id });
  }
  const province = data.topology.sites.filter((s) => s.level === 'city').length > 1;
  // Every line whose far end lies in a city (its counties' departments and uplinks included), for a province's city labels.
  const cityGroups = new Map<string, Circuit[]>();
  for (const c of data.topology.circuits) {
    const city = data.endSites(c)[1]?.cityId;
    if (city) cityGroups.set(city, [...(cityGroups.get(city) ?? []), c]);
  }
  const departments = new Map<string, number>();
  for (const s of data.topology.sites) {
    if (s.level !== 'department' || !s.parentId) continue;
    const anchor = anchorOf(s, sites).id;
    departments.set(anchor, (departments.get(anchor) ?? 0) + 1);
  }
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
        return {
          source: indexOf.get(from)!,
          target: indexOf.get(to)!,
          circuitId: circuit.id,
          status: st,
          lineStyle: lineStyle(st, shownUtilPct(ctx, circuit.id, st)),
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
          return circuitTooltip(ctx, p.data.circuitId ?? '', status.get(p.data.circuitId ?? '') ?? 'unknown');
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
  return keepMap(ctx, chart, update, (id) => id);
}

/** The whole network's map for the overview and the wall: on its outlines when the server has them, else schematic. */
export function overviewMap(ctx: ViewContext, box: HTMLElement): { update(): void; dispose(): void } {
  const { data } = ctx;
  return data.basemap
    ? geoMap(ctx, box, data.basemap)
    : networkMap(ctx, box, geographicLayout(data.topology.sites, data.topology.circuits, data.topology.devices));
}
