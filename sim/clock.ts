/**
 * Simulated time: runs from a chosen start at `speed` times real time, so a
 * simulated office day can pass in minutes. Real time is taken from the
 * monotonic clock, so a wall-clock adjustment never makes the simulation jump.
 */
export interface Clock {
  /** Simulated time now, in ms since the epoch. */
  now(): number;
  readonly speed: number;
  /** Real milliseconds until the simulated instant `simMs` (0 if past). */
  realDelayMs(simMs: number): number;
}

export class SimClock implements Clock {
  readonly #startReal: number;

  constructor(
    readonly startSimMs: number,
    readonly speed: number,
    private readonly realNow: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`simulation speed must be a positive number, got ${speed}`);
    this.#startReal = realNow();
  }

  /** Whole milliseconds, so every recorded time is exact. */
  now(): number {
    return Math.floor(this.startSimMs + (this.realNow() - this.#startReal) * this.speed);
  }

  realDelayMs(simMs: number): number {
    return Math.max(0, (simMs - this.now()) / this.speed);
  }
}

/** A clock moved by hand; for tests of the engine. */
export class ManualClock implements Clock {
  readonly speed = 1;
  constructor(public current: number) {}
  now(): number {
    return this.current;
  }
  realDelayMs(simMs: number): number {
    return Math.max(0, simMs - this.current);
  }
}
