/**
 * Writes line protocol through InfluxDB's v2 write API (/api/v2/write, token,
 * org, bucket), for InfluxDB 2.x/3.x and clustered servers, where a province
 * outgrows one machine. Uses @influxdata/influxdb-client with its own batching
 * and retries switched off: the spooling writer decides when to retry, so
 * there is one retry policy, not two.
 */
import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import { isRetryableStatus } from '../../shared/http/retryableStatus.ts';
import type { Secret } from '../../shared/secret.ts';
import { SinkError, type LineSink } from './influxV1Sink.ts';

export interface InfluxV2Target {
  url: string;
  org: string;
  bucket: string;
  token: Secret | null;
}

export class InfluxV2Sink implements LineSink {
  readonly #client: InfluxDB;

  constructor(
    private readonly target: InfluxV2Target,
    timeoutMs = 10_000,
  ) {
    this.#client = new InfluxDB({ url: target.url, ...(target.token ? { token: target.token.reveal() } : {}), timeout: timeoutMs });
  }

  async write(lines: readonly string[]): Promise<void> {
    const api = this.#client.getWriteApi(this.target.org, this.target.bucket, 'ms', {
      batchSize: lines.length + 1,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: lines.length + 1,
      // Report the failure to close() rather than retrying inside the client.
      writeFailed: (error: Error) => Promise.reject(error),
    });
    api.writeRecords([...lines]);
    try {
      await api.close();
    } catch (err) {
      const status = err instanceof HttpError ? err.statusCode : null;
      const retryable = isRetryableStatus(status);
      const detail = err instanceof HttpError ? `HTTP ${status} ${(err.body ?? '').slice(0, 300)}` : (err as Error).message;
      throw new SinkError(`writing ${lines.length} points to ${this.describe()}: ${detail}`, retryable, { cause: err });
    }
  }

  describe(): string {
    const url = new URL(this.target.url);
    return `${url.protocol}//${url.host} bucket "${this.target.bucket}" (org "${this.target.org}", v2 API)`;
  }
}
