/**
 * Maintenance windows (维护窗口): those fixed in nms.yaml and those NOC
 * engineers enter in the console. Console windows are kept in a file under
 * the data folder, replaced atomically, so a restart loses none; the alarm
 * engine is given the whole list after every change.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Refusal } from '../../shared/errors/refusal.ts';
import type { MaintenanceWindow, PlannedWork } from '../../shared/alarms/types.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';

const FILE = 'maintenance.json';
/** Ended windows are kept this long for the console's list (the SLA ledger keeps their effect). */
const KEEP_ENDED_MS = 90 * 86_400_000;

export class MaintenanceError extends Refusal {}

/** The ids among `subjects` that name no circuit, device or site. */
export function unknownSubjects(topology: Topology, subjects: readonly string[]): string[] {
  return subjects.filter((id) => !topology.circuitById.has(id) && !topology.deviceById.has(id) && !topology.siteById.has(id));
}

export class MaintenanceStore {
  #fixed: PlannedWork[];
  #entered: PlannedWork[];

  private constructor(
    private readonly file: string,
    private topology: Topology,
    fixed: readonly MaintenanceWindow[],
    entered: PlannedWork[],
    private readonly onChange: (all: PlannedWork[]) => void,
    private readonly now: () => number,
  ) {
    this.#fixed = fixedWork(fixed);
    this.#entered = entered;
    onChange(this.list());
  }

  /**
   * A new model and nms.yaml's windows (`nms reload`, which has checked their
   * subjects). Windows entered from the console stay: one whose subject was
   * taken out covers nothing until it comes back.
   */
  setModel(topology: Topology, fixed: readonly MaintenanceWindow[]): void {
    this.topology = topology;
    this.#fixed = fixedWork(fixed);
    this.onChange(this.list());
  }

  /** @throws Error naming the file when it exists but is not a list of windows. */
  static open(
    dir: string,
    topology: Topology,
    fixed: readonly MaintenanceWindow[],
    onChange: (all: PlannedWork[]) => void,
    now: () => number = Date.now,
  ): MaintenanceStore {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, FILE);
    let entered: PlannedWork[] = [];
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (!Array.isArray(data)) throw new Error('not a list');
      entered = data as PlannedWork[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`maintenance windows ${file}: ${(err as Error).message}`, { cause: err });
    }
    return new MaintenanceStore(file, topology, fixed, entered, onChange, now);
  }

  /** Every window, soonest first. */
  list(): PlannedWork[] {
    return [...this.#fixed, ...this.#entered].sort((a, b) => a.fromMs - b.fromMs);
  }

  /** @throws MaintenanceError when a subject is unknown or the times are wrong; nothing is kept then. */
  add(w: MaintenanceWindow, by: string): PlannedWork {
    const unknown = unknownSubjects(this.topology, w.subjects);
    if (unknown.length) throw new MaintenanceError(`subjects: no circuit, device or site ${unknown.map((u) => `"${u}"`).join(', ')}`);
    if (w.fromMs >= w.toMs) throw new MaintenanceError('to: must be after from');
    const now = this.now();
    if (w.toMs <= now) throw new MaintenanceError('to: the window has already ended');
    const work: PlannedWork = {
      subjects: [...new Set(w.subjects)],
      fromMs: w.fromMs,
      toMs: w.toMs,
      reason: w.reason,
      id: randomUUID(),
      source: 'console',
      createdBy: by,
      createdAtMs: now,
    };
    this.save([...this.#entered.filter((x) => x.toMs > now - KEEP_ENDED_MS), work]);
    return work;
  }

  /** Ends a console window now (or drops it if it has not begun); windows from nms.yaml are changed there. */
  remove(id: string): PlannedWork {
    if (this.#fixed.some((w) => w.id === id)) throw new MaintenanceError(`window ${id} comes from nms.yaml; change it there`);
    const w = this.#entered.find((x) => x.id === id);
    if (!w) throw new MaintenanceError(`no maintenance window ${id}`, 'not_found');
    const now = this.now();
    // A window that has begun is cut short rather than erased: it did cover the time already past.
    const ended = w.fromMs < now ? { ...w, toMs: Math.min(w.toMs, now) } : null;
    this.save(this.#entered.flatMap((x) => (x.id !== id ? [x] : ended ? [ended] : [])));
    return ended ?? w;
  }

  private save(entered: PlannedWork[]): void {
    writeFileAtomicSync(this.file, JSON.stringify(entered, null, 1));
    this.#entered = entered;
    this.onChange(this.list());
  }
}

function fixedWork(fixed: readonly MaintenanceWindow[]): PlannedWork[] {
  return fixed.map((w, i) => ({ ...w, id: `config-${i + 1}`, source: 'config', createdBy: null, createdAtMs: null }));
}
