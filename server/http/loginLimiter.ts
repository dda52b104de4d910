/**
 * Slows password guessing: after `maxPerUser` failed logins for one username,
 * or `maxPerAddress` from one address (higher: a whole office may share one
 * NAT address), within `windowMs`, further attempts are refused until the
 * window has passed, whatever the password.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly maxPerUser = 5,
    private readonly maxPerAddress = 20,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until another try is allowed, or 0. */
  retryAfterS(address: string, username: string): number {
    const t = this.now();
    let wait = 0;
    for (const key of [`a:${address}`, `u:${username}`]) {
      const recent = (this.#failures.get(key) ?? []).filter((x) => t - x < this.windowMs);
      this.#failures.set(key, recent);
      if (recent.length >= (key.startsWith('u:') ? this.maxPerUser : this.maxPerAddress)) wait = Math.max(wait, Math.ceil((recent[0]! + this.windowMs - t) / 1000));
    }
    return wait;
  }

  failed(address: string, username: string): void {
    for (const key of [`a:${address}`, `u:${username}`]) this.#failures.set(key, [...(this.#failures.get(key) ?? []), this.now()]);
  }

  succeeded(address: string, username: string): void {
    this.#failures.delete(`a:${address}`);
    this.#failures.delete(`u:${username}`);
  }
}
