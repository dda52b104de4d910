/**
 * A short name for what a model says, for the console: a page that loaded
 * one revision and hears of another (an `nms reload`) loads the model again.
 * Credentials' profiles are left out; the console never sees them.
 */
import { createHash } from 'node:crypto';
import type { Topology } from './topology.ts';

export function modelRevision(t: Topology): string {
  const body = JSON.stringify([t.network, t.sites, t.devices, t.circuits, [...t.slaTiers]]);
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}
