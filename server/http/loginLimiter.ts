/**
 * Slows password guessing without handing anyone a way to lock a user out.
 *
 * Failures are counted per (address, username) pair: a wrong guess from
 * one place never delays the right password from another, so nobody can
 * keep the wall screen's account out by failing at it on purpose. After
 * `freeTries` failures a pair waits, and the wait doubles with every
 * further failure up to `maxDelayMs` (back-off, not a lock: the user who
 * mistyped waits seconds). Apart from that, an address that fails
 * `maxPerAddress` times within the window, under whatever names, backs off
 * the same way (a whole office may share one NAT address, hence the higher
 * figure). A successful login clears only its own pair: one valid login
 * between sprayed guesses does not reset the address's count.
 */

export interface LoginLimits {
  freeTries: number;
  maxPerAddress: number;
  windowMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { freeTries: 5, maxPerAddress: 20, windowMs: 15 * 60_000, firstDelayMs: 1000, maxDelayMs: 5 * 60_000 };

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this address may try this username again, or 0. */
  retryAfterS(address: string, username: string): number {
    const t = this.now();
    const wait = Math.max(this.#wait(pairKey(address, username), this.limits.freeTries, t), this.#wait(addressKey(address), this.limits.maxPerAddress, t));
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  failed(address: string, username: string): void {
    const t = this.now();
    for (const key of [pairKey(address, username), addressKey(address)]) this.#failures.set(key, [...this.#recent(key, t), t]);
  }

  succeeded(address: string, username: string): void {
    this.#failures.delete(pairKey(address, username));
  }

  /** Milliseconds still to wait under one count: none within the free tries, then doubling from the last failure. */
  #wait(key: string, free: number, t: number): number {
    const recent = this.#recent(key, t);
    if (recent.length < free) return 0;
    const delay = Math.min(this.limits.maxDelayMs, this.limits.firstDelayMs * 2 ** (recent.length - free));
    return Math.max(0, recent.at(-1)! + delay - t);
  }

  /** The failures still inside the window; a key with none left is forgotten, so the map cannot grow without end. */
  #recent(key: string, t: number): number[] {
    const recent = (this.#failures.get(key) ?? []).filter((x) => t - x < this.limits.windowMs);
    if (recent.length) this.#failures.set(key, recent);
    else this.#failures.delete(key);
    return recent;
  }
}

const pairKey = (address: string, username: string) => `p:${address}\u0000${username}`;
const addressKey = (address: string) => `a:${address}`;
