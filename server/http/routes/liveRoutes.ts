/**
 * What is true now: the model (without credentials), the live status of
 * every circuit and device (whole, or the batches since one the page has),
 * and a centre's city pollers.
 */
import { gzipSync } from 'node:zlib';
import type { Express } from 'express';
import { z } from 'zod';
import type { Topology } from '../../../shared/model/topology.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { parse, type Authed, type Guards } from '../apiGuards.ts';
import { chooseEncoding } from '../webAssets.ts';

/** How long one built snapshot of the live state is shared between clients. */
const SNAPSHOT_SHARE_MS = 1000;

export function liveRoutes(app: Express, d: ApiDeps, g: Guards): void {
  const { needSession } = g;
  let cached: { seq: number; model: string | undefined; builtAtMs: number; json: string; gzip: Buffer } | null = null;
  /**
   * The whole state, as of now. One built less than a second ago with no
   * status change since is shared by every client asking meanwhile (the
   * state is a few MB at province scale); anything older is rebuilt before
   * answering: a screen opened during an outage must show it, not the last
   * copy someone happened to load.
   */
  const snapshot = () => {
    const seq = d.feed?.seq ?? 0;
    const nowMs = Date.now();
    if (cached && cached.seq === seq && cached.model === d.modelRevision && nowMs - cached.builtAtMs < SNAPSHOT_SHARE_MS) return cached;
    const json = JSON.stringify({
      seq,
      model: d.modelRevision ?? null,
      asOfMs: nowMs,
      ...d.feed?.freshness(),
      circuits: [...d.live.circuits.values()],
      devices: [...d.live.devices.values()],
    });
    cached = { seq, model: d.modelRevision, builtAtMs: nowMs, json, gzip: gzipSync(json, { level: 1 }) };
    return cached;
  };

  app.get('/api/topology', (req: Authed, res) => {
    needSession(req);
    const t = d.topology;
    res.json({
      revision: d.modelRevision ?? null,
      network: t.network,
      // Province → city → county → department, as ids; the sites themselves are in `sites`.
      tree: siteTree(t),
      sites: t.sites,
      // Devices without their SNMP profile: the console never needs credentials or their names.
      devices: t.devices.map(({ snmpProfile: _profile, ...rest }) => rest),
      circuits: t.circuits,
      slaTiers: [...t.slaTiers.values()],
    });
  });

  app.get('/api/live', (req: Authed, res) => {
    needSession(req);
    const q = parse(z.strictObject({ since: z.coerce.number().int().min(0).optional() }), req.query, 'query');
    const batches = q.since !== undefined && d.feed ? d.feed.since(q.since) : null;
    // Since a known batch: only what changed. Otherwise (first load, or too far behind): everything.
    if (batches) {
      res.json({ seq: d.feed!.seq, model: d.modelRevision ?? null, batches });
      return;
    }
    const snap = snapshot();
    res.set('content-type', 'application/json; charset=utf-8').set('vary', 'accept-encoding');
    if (chooseEncoding(req.get('accept-encoding'), ['gzip']) === 'gzip') res.set('content-encoding', 'gzip').send(snap.gzip);
    else res.send(snap.json);
  });

  // The county (or city) outlines the map is drawn on: 204 when there are none for this network.
  app.get('/api/basemap', (req: Authed, res) => {
    needSession(req);
    const map = d.basemap;
    if (!map) {
      res.status(204).end();
      return;
    }
    res.set('content-type', 'application/geo+json; charset=utf-8').set('vary', 'accept-encoding').set('cache-control', 'private, max-age=3600');
    if (chooseEncoding(req.get('accept-encoding'), ['gzip']) === 'gzip') res.set('content-encoding', 'gzip').send(map.gzip);
    else res.send(map.json);
  });

  app.get('/api/pollers', (req: Authed, res) => {
    needSession(req);
    res.json({ pollers: d.pollers?.() ?? [] });
  });
}

interface SiteNode {
  id: string;
  children: SiteNode[];
}

/** The sites as a tree of ids, from the roots (the province, or the city if it has no parent) down. */
function siteTree(t: Topology): SiteNode[] {
  const nodes = new Map(t.sites.map((s) => [s.id, { id: s.id, children: [] as SiteNode[] }]));
  const roots: SiteNode[] = [];
  for (const s of t.sites) {
    const parent = s.parentId ? nodes.get(s.parentId) : undefined;
    (parent ? parent.children : roots).push(nodes.get(s.id)!);
  }
  return roots;
}
