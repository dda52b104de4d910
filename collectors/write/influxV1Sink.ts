/**
 * Posts line protocol to an InfluxDB 1.x /write endpoint. node-influx (used
 * for queries and schema) serialises its own point objects; the spool needs
 * byte-exact batches replayed as they were, so raw lines are posted here.
 */
import { isRetryableStatus } from '../../shared/http/retryableStatus.ts';
import type { InfluxTarget } from '../../shared/influx/connection.ts';
import { describeTarget } from '../../shared/influx/connection.ts';

export interface LineSink {
  /** @throws SinkError when the server did not accept the whole batch. */
  write(lines: readonly string[]): Promise<void>;
  describe(): string;
}

/**
 * A failed write. `retryable` is false when the server refused the data itself
 * (HTTP 4xx: a partial write or a field type conflict), which no retry mends.
 */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SinkError';
  }
}

export class InfluxV1Sink implements LineSink {
  readonly #url: string;
  readonly #headers: Record<string, string>;

  constructor(
    private readonly target: InfluxTarget,
    private readonly timeoutMs = 10_000,
  ) {
    const q = new URLSearchParams({ db: target.database, precision: 'ms' });
    this.#url = `${target.url.replace(/\/$/, '')}/write?${q}`;
    this.#headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (target.username && target.password) {
      this.#headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password.reveal()}`).toString('base64')}`;
    }
  }

  async write(lines: readonly string[]): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#url, { method: 'POST', headers: this.#headers, body: lines.join('\n'), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      throw new SinkError(`writing ${lines.length} points to ${this.describe()}: ${cause}`, true, { cause: err });
    }
    if (res.status !== 204) {
      const body = (await res.text()).slice(0, 300);
      const retryable = isRetryableStatus(res.status);
      throw new SinkError(`writing ${lines.length} points to ${this.describe()}: HTTP ${res.status} ${body}`, retryable);
    }
  }

  describe(): string {
    return describeTarget(this.target);
  }
}
