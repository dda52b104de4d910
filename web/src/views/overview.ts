/** The overview: KPI tiles, a centre's city pollers, the whole network at its sites' coordinates, and every circuit. */
import { el } from '../dom.ts';
import { circuitTable } from './circuitTable.ts';
import { kpiTiles } from './kpiTiles.ts';
import { pollerPanel } from './pollerPanel.ts';
import { overviewMap } from './geoMap.ts';
import type { View, ViewContext } from './view.ts';

export function overviewView(ctx: ViewContext): View {
  const { data } = ctx;
  const tiles = kpiTiles(ctx);
  const mapBox = el('div', { id: 'map', class: 'map' });
  const table = circuitTable(ctx, data.topology.circuits);
  const pollers = pollerPanel(ctx);
  const node = el('div', { class: 'page overview' }, tiles.node, pollers.node, mapBox, table.node);
  // The chart measures its box: it is drawn once the page is in the document.
  let map: ReturnType<typeof overviewMap> | null = null;
  queueMicrotask(() => (map = overviewMap(ctx, mapBox)));
  const off = data.on((change) => {
    if (change === 'status' || change === 'alarms') {
      map?.update();
      table.update();
    }
    tiles.update();
  });
  return {
    node,
    dispose: () => {
      off();
      tiles.dispose();
      pollers.dispose();
      map?.dispose();
    },
  };
}
