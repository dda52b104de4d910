/**
 * Times when this process could not run: a heartbeat timer that fires late
 * says the event loop (or the whole process, on a busy machine) was held up.
 * A UDP echo timed here is timed by this process's clock when its answer is
 * handled, and in the demo the simulated device answering it runs in this
 * process too, so an echo in flight across such a stall measured the
 * machine, not the line: the prober leaves it out rather than report a
 * delay, jitter or loss the circuit never had.
 */

/** How often the heartbeat fires. */
const BEAT_MS = 5;
/**
 * A beat this much later than due is a stall. Less, on an echo or two of a
 * round, moves its median not at all and its jitter by a millisecond or two.
 */
const LATE_MS = 15;

export interface Stall {
  fromMs: number;
  toMs: number;
}

export interface StallWatch {
  /** Stops the heartbeat; the stalls seen, on performance.now()'s clock. */
  stop(): Stall[];
}

export function watchStalls(now: () => number = () => performance.now()): StallWatch {
  const stalls: Stall[] = [];
  let last = now();
  const beat = setInterval(() => {
    const t = now();
    if (t - last > BEAT_MS + LATE_MS) stalls.push({ fromMs: last, toMs: t });
    last = t;
  }, BEAT_MS);
  return {
    stop() {
      clearInterval(beat);
      // A stall still going on is seen only now.
      const t = now();
      if (t - last > BEAT_MS + LATE_MS) stalls.push({ fromMs: last, toMs: t });
      return stalls;
    },
  };
}

/** Whether [fromMs, toMs] overlaps any stall. Stalls are in time order. */
export function overlapsStall(stalls: readonly Stall[], fromMs: number, toMs: number): boolean {
  return stalls.some((s) => s.fromMs < toMs && s.toMs > fromMs);
}
