/**
 * The circuits of the topology nms last ran with, kept in the data folder,
 * so that a file cut short that still parses (97 circuits become 47, every
 * one of them valid) is noticed before it silently drops half the network's
 * monitoring and SLA history: `nms validate` and `nms up` compare the new
 * file with it and warn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../../shared/model/topology.ts';
import { writeFileAtomicSync } from './atomicFile.ts';

const FILE = 'topology-last-run.json';
/** Warn when at least this many circuits, or this share of them, would go at once. */
const MANY_GONE = 5;
const SHARE_GONE = 0.1;

interface LastRun {
  file: string;
  atMs: number;
  circuits: string[];
}

/** Notes the topology `nms up` now runs with. */
export function recordRun(dataDir: string, topology: Topology, atMs: number): void {
  const last: LastRun = { file: topology.source, atMs, circuits: topology.circuits.map((c) => c.id) };
  writeFileAtomicSync(join(dataDir, FILE), `${JSON.stringify(last)}\n`);
}

/**
 * Warnings about a topology about to be used: many circuits gone since the
 * last run, or a file that does not end with a line break (an editor or a
 * copy that stopped part way). Empty when all looks whole.
 */
export function topologyWarnings(dataDir: string, topology: Topology, text: string): string[] {
  const out: string[] = [];
  if (text.length > 0 && !text.endsWith('\n')) out.push(`${topology.source} does not end with a line break: was it cut short?`);
  let last: LastRun;
  try {
    last = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as LastRun;
  } catch {
    return out;
  }
  const now = new Set(topology.circuits.map((c) => c.id));
  const gone = last.circuits.filter((id) => !now.has(id));
  if (gone.length >= MANY_GONE || (last.circuits.length > 0 && gone.length / last.circuits.length >= SHARE_GONE)) {
    const named = gone.slice(0, 8).join(', ') + (gone.length > 8 ? ` and ${gone.length - 8} more` : '');
    out.push(
      `${gone.length} of the ${last.circuits.length} circuits nms last ran with (${new Date(last.atMs).toISOString()}) are not in ${topology.source}: ${named}. ` +
        'Their polling and alarms stop at the next start; if the file was cut short, restore it first.',
    );
  }
  return out;
}
