/**
 * Runs each device's poll on its own interval, with jittered start times, a
 * global cap on polls in flight, and never two polls of one device at once.
 * A slow or dead device holds one slot for its own timeout and no more; the
 * others keep their schedule. A poll that is still running when its next turn
 * comes skips that turn (counted as an overrun) rather than queueing up.
 */

export interface PollJob {
  id: string;
  intervalMs: number;
  run(): Promise<void>;
}

export interface SchedulerStats {
  started: number;
  overruns: number;
  inFlight: number;
  waiting: number;
}

interface Slot {
  job: PollJob;
  due: number;
  running: boolean;
}

export class PollScheduler {
  #slots: Slot[];
  readonly #waiting: Slot[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #idle: Array<() => void> = [];
  readonly stats: SchedulerStats = { started: 0, overruns: 0, inFlight: 0, waiting: 0 };

  constructor(
    jobs: readonly PollJob[],
    private readonly maxInFlight: number,
    private readonly now: () => number = Date.now,
    /** Fraction of the interval to spread first polls over (1 = the whole interval). */
    private readonly jitter = 1,
  ) {
    if (maxInFlight < 1) throw new Error('the cap on polls in flight must be at least 1');
    // Stable jitter per device: the same device starts at the same offset on every run.
    this.#slots = jobs.map((job) => ({ job, due: 0, running: false }));
  }

  start(): void {
    this.#stopped = false;
    const t = this.now();
    for (const s of this.#slots) s.due = t + Math.floor(startOffset(s.job.id) * s.job.intervalMs * this.jitter);
    this.tick();
  }

  /** Stops scheduling and waits for polls in flight to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#waiting.length = 0;
    if (this.#inFlight > 0) await new Promise<void>((r) => this.#idle.push(r));
  }

  /**
   * Takes a new set of jobs while running (a reload): a job kept by id keeps
   * its turn, so its device is polled on the same beat as before and no
   * interval is lost; one whose interval changed is due within the new one;
   * a new job starts at its own offset, as at start. Resolves once no removed
   * job is still running, so its last result is in before the caller goes on.
   */
  setJobs(jobs: readonly PollJob[]): Promise<void> {
    const t = this.now();
    const old = new Map(this.#slots.map((s) => [s.job.id, s]));
    const removed = new Set(this.#slots);
    this.#slots = jobs.map((job) => {
      const slot = old.get(job.id);
      if (!slot) return { job, due: this.#stopped ? 0 : t + Math.floor(startOffset(job.id) * job.intervalMs * this.jitter), running: false };
      removed.delete(slot);
      if (job.intervalMs !== slot.job.intervalMs) slot.due = Math.min(slot.due, t + job.intervalMs);
      slot.job = job;
      return slot;
    });
    for (let i = this.#waiting.length - 1; i >= 0; i--) if (removed.has(this.#waiting[i]!)) this.#waiting.splice(i, 1);
    if (!this.#stopped) this.tick();
    const running = [...removed].filter((s) => s.running);
    if (running.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#finished.push({ slots: new Set(running), resolve }));
  }

  /** Callers of setJobs waiting for removed jobs' last runs. */
  readonly #finished: Array<{ slots: Set<Slot>; resolve: () => void }> = [];

  /**
   * Polls a job as soon as the cap allows, outside its schedule (a trap asks
   * for confirmation); nothing happens if it is already running or waiting.
   * @returns false for an unknown job.
   */
  pollSoon(id: string): boolean {
    const slot = this.#slots.find((s) => s.job.id === id);
    if (!slot) return false;
    if (!slot.running && !this.#waiting.includes(slot)) {
      this.#waiting.unshift(slot);
      this.drain();
    }
    return true;
  }

  private tick(): void {
    if (this.#stopped) return;
    const t = this.now();
    for (const s of this.#slots) {
      if (s.due > t) continue;
      s.due += Math.max(s.job.intervalMs, (Math.floor((t - s.due) / s.job.intervalMs) + 1) * s.job.intervalMs);
      if (s.running || this.#waiting.includes(s)) {
        this.stats.overruns++;
        continue;
      }
      this.#waiting.push(s);
    }
    this.drain();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.stats.waiting = this.#waiting.length;
    // With nothing to poll there is no next turn: sleep, rather than wake every millisecond.
    if (this.#slots.length === 0) return;
    let next = Infinity;
    for (const s of this.#slots) next = Math.min(next, s.due);
    this.#timer = setTimeout(() => this.tick(), Math.max(1, next - this.now()));
  }

  private drain(): void {
    while (!this.#stopped && this.#inFlight < this.maxInFlight && this.#waiting.length) {
      const slot = this.#waiting.shift()!;
      slot.running = true;
      this.#inFlight++;
      this.stats.started++;
      this.stats.inFlight = this.#inFlight;
      slot.job
        .run()
        .catch(() => undefined) // jobs record their own errors; a rejection must not stop the scheduler
        .finally(() => {
          slot.running = false;
          for (const f of this.#finished) if (f.slots.delete(slot) && f.slots.size === 0) f.resolve();
          for (let i = this.#finished.length - 1; i >= 0; i--) if (this.#finished[i]!.slots.size === 0) this.#finished.splice(i, 1);
          this.#inFlight--;
          this.stats.inFlight = this.#inFlight;
          this.drain();
          if (this.#inFlight === 0) for (const r of this.#idle.splice(0)) r();
        });
    }
    this.stats.waiting = this.#waiting.length;
  }
}

/**
 * A device's start offset as a fraction of its interval, fixed by its id.
 * FNV-1a alone leaves ids that differ in their last character (hy-dept-1,
 * hy-dept-2, ...) within a few per cent of each other, so the polls of a
 * whole county would start together; the final mix (MurmurHash3's fmix32)
 * spreads them over the interval.
 */
export function startOffset(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
