/**
 * How long this thread could not run: a heartbeat timer that fires late
 * says the event loop (or the whole process, on a busy machine) was held up.
 * A UDP echo is timed by this thread's clock when its answer is handled, so
 * an echo in flight while the thread was held up measured the machine as
 * well as the line. The prober runs on a thread that does nothing else
 * (udpEchoThread), so what holds it up is the scheduler: on a machine shared
 * with other busy processes the holds are many and short (its slices), not
 * one long stall, and each adds a few milliseconds to some echoes, nothing
 * on a median but read as jitter. What delays an echo is a hold just after
 * it is sent (its sending waits) or one that ends just before its answer is
 * handled (the answer waited); a hold in between, while the device holds the
 * echo for the line's delay anyway, does not. The prober weighs those two
 * holds (see udpEchoProbe).
 */

/** How often the heartbeat fires: a hold shorter than this can go unseen. */
const BEAT_MS = 2;
/** A beat up to this late is a timer's ordinary slack, not the process held up. */
const SLACK_MS = 1;

interface Hold {
  fromMs: number;
  toMs: number;
  /** How long the process may have been held up in the gap: the beat's lateness, and the beat itself, since the hold may have begun just after the beat before. */
  heldMs: number;
}

export interface Holds {
  /** How long the process was held up just after `atMs`: what an event then (an echo sent) may have waited. */
  heldAfter(atMs: number): number;
  /** How long it was held up just before `atMs`, when it went on to handle something (an answer) that may have waited. */
  heldBefore(atMs: number): number;
  /** Whether it was held up at all in the round. */
  readonly any: boolean;
}

export interface StallWatch {
  /** Stops the heartbeat; the holds seen, on performance.now()'s clock. */
  stop(): Holds;
}

export function watchStalls(now: () => number = () => performance.now()): StallWatch {
  const holds: Hold[] = [];
  let last = now();
  const check = (t: number) => {
    const late = t - last - BEAT_MS;
    if (late > SLACK_MS) holds.push({ fromMs: last, toMs: t, heldMs: late + BEAT_MS });
    last = t;
  };
  const beat = setInterval(() => check(now()), BEAT_MS);
  return {
    stop() {
      clearInterval(beat);
      // A hold still going on is seen only now.
      check(now());
      /** The index of the first hold that ends after `atMs`; holds are in time order and do not overlap. */
      const firstHoldEndingAfter = (atMs: number): number => {
        let lo = 0;
        let hi = holds.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (holds[mid]!.toMs <= atMs) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      return {
        any: holds.length > 0,
        heldAfter(atMs) {
          // A hold that began within a beat of the event (the same turn of the loop, before it got to the event) held it too.
          const h = holds[firstHoldEndingAfter(atMs)];
          return h && h.fromMs < atMs + BEAT_MS + SLACK_MS ? Math.min(h.heldMs, h.toMs - atMs) : 0;
        },
        heldBefore(atMs) {
          // The hold around the instant, or one that ended within a beat before it (the loop's next turn).
          let held = 0;
          for (let k = firstHoldEndingAfter(atMs - BEAT_MS - SLACK_MS); k < holds.length && holds[k]!.fromMs < atMs; k++)
            held = Math.max(held, Math.min(holds[k]!.heldMs, atMs - holds[k]!.fromMs));
          return held;
        },
      };
    },
  };
}
