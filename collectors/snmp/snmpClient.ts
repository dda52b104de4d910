/**
 * The narrow seam around SNMP: get some OIDs, walk a column, close. The poller
 * sees only this interface; unit tests give it a fake keyed by OID, and the
 * real one is net-snmp over the shared UDP multiplexer.
 */
import snmp from 'net-snmp';
import { netSnmpUser, netSnmpVersion, type SnmpCredentials } from '../../shared/snmp/credentials.ts';
import type { UdpMux } from './udpMux.ts';

/** An SNMP value: numbers for integers, counters, gauges and timeticks; bigint for Counter64. */
export type SnmpValue = number | bigint | Buffer | string;

export type SnmpErrorKind = 'timeout' | 'refused' | 'error';

export class SnmpError extends Error {
  constructor(
    readonly kind: SnmpErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SnmpError';
  }
}

export interface SnmpClient {
  /** Varbinds one request may carry; get() splits longer lists. */
  readonly maxVarbinds: number;
  /** Requests sent and varbinds asked for, since the client was made. */
  readonly stats: { requests: number; varbinds: number };
  /**
   * Values in the order asked; null where the agent has no such object or instance.
   * @throws SnmpError on timeout or a refused request.
   */
  get(oids: readonly string[]): Promise<Array<SnmpValue | null>>;
  /** Every instance under one column, in order. @throws SnmpError */
  walk(column: string): Promise<Array<{ oid: string; value: SnmpValue }>>;
  close(): void;
}

export interface ClientOptions {
  timeoutMs: number;
  retries: number;
  /** Varbinds per GET request: agents refuse or truncate big PDUs. */
  maxVarbinds: number;
  maxRepetitions: number;
}

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = { timeoutMs: 2000, retries: 1, maxVarbinds: 40, maxRepetitions: 25 };

type Varbind = snmp.Varbind;

function convert(vb: Varbind): SnmpValue | null {
  if (snmp.isVarbindError(vb)) return null;
  switch (vb.type) {
    case snmp.ObjectType.Counter64: {
      const b = vb.value as Buffer;
      let n = 0n;
      for (const byte of b) n = (n << 8n) | BigInt(byte);
      return n;
    }
    case snmp.ObjectType.OctetString:
    case snmp.ObjectType.Opaque:
      return vb.value as Buffer;
    case snmp.ObjectType.OID:
    case snmp.ObjectType.IpAddress:
      return String(vb.value);
    default:
      return Number(vb.value);
  }
}

export class NetSnmpClient implements SnmpClient {
  readonly #session: snmp.Session;
  readonly #v1: boolean;
  readonly stats = { requests: 0, varbinds: 0 };

  constructor(
    private readonly host: string,
    private readonly port: number,
    credentials: SnmpCredentials,
    mux: UdpMux,
    private readonly options: ClientOptions = DEFAULT_CLIENT_OPTIONS,
  ) {
    const sessionOptions = {
      port,
      version: netSnmpVersion(credentials),
      timeout: options.timeoutMs,
      retries: options.retries,
      backoff: 1,
      dgramModule: mux.dgramModule,
    } as snmp.SessionOptions;
    this.#session =
      credentials.version === '3'
        ? snmp.createV3Session(host, netSnmpUser(credentials), sessionOptions as snmp.SessionOptionsV3)
        : snmp.createSession(host, credentials.community.reveal(), sessionOptions);
    // net-snmp emits socket errors on the session; they surface per request instead.
    this.#session.on('error', () => undefined);
    this.#v1 = credentials.version === '1';
  }

  get maxVarbinds(): number {
    return this.options.maxVarbinds;
  }

  async get(oids: readonly string[]): Promise<Array<SnmpValue | null>> {
    const out: Array<SnmpValue | null> = [];
    for (let i = 0; i < oids.length; i += this.options.maxVarbinds) {
      out.push(...(await this.getChunk(oids.slice(i, i + this.options.maxVarbinds))));
    }
    return out;
  }

  private async getChunk(oids: readonly string[]): Promise<Array<SnmpValue | null>> {
    const result: Array<SnmpValue | null> = oids.map(() => null);
    let pending = oids.map((oid, i) => ({ oid, i }));
    // SNMPv1 answers a missing object with noSuchName for the whole request; drop that one and ask again.
    while (pending.length) {
      try {
        this.stats.varbinds += pending.length;
        const vbs = await this.request<Varbind[]>((cb) => this.#session.get(pending.map((p) => p.oid), cb));
        vbs.forEach((vb, k) => (result[pending[k]!.i] = convert(vb)));
        return result;
      } catch (err) {
        const e = err as { status?: number; index?: number };
        if (!(err instanceof SnmpError) && e.status === snmp.ErrorStatus.NoSuchName && e.index && e.index >= 1) {
          pending = pending.filter((_, k) => k !== e.index! - 1);
          continue;
        }
        throw this.wrap(err, `getting ${oids.length} objects`);
      }
    }
    return result;
  }

  async walk(column: string): Promise<Array<{ oid: string; value: SnmpValue }>> {
    const prefix = `${column}.`;
    const rows: Array<{ oid: string; value: SnmpValue }> = [];
    let cursor = column;
    for (let guard = 0; guard < 10_000; guard++) {
      let vbs: Varbind[];
      try {
        vbs = this.#v1
          ? await this.request<Varbind[]>((cb) => this.#session.getNext([cursor], cb))
          : ((await this.request<Varbind[][]>((cb) => this.#session.getBulk([cursor], 0, this.options.maxRepetitions, cb as never)))[0] ?? []);
      } catch (err) {
        const e = err as { status?: number };
        if (this.#v1 && e.status === snmp.ErrorStatus.NoSuchName) return rows; // v1: end of the MIB
        throw this.wrap(err, `walking ${column}`);
      }
      if (vbs.length === 0) return rows;
      this.stats.varbinds += vbs.length;
      for (const vb of vbs) {
        if (!vb.oid.startsWith(prefix) || vb.type === snmp.ObjectType.EndOfMibView) return rows;
        const value = convert(vb);
        if (value !== null) rows.push({ oid: vb.oid, value });
        cursor = vb.oid;
      }
    }
    throw new SnmpError('error', `${this.host}:${this.port}: walking ${column}: more than 10,000 requests; the agent is looping`);
  }

  close(): void {
    this.#session.close();
  }

  private request<T>(send: (cb: (error: Error | null, result?: T) => void) => void): Promise<T> {
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      try {
        send((error, result) => (error ? reject(error) : resolve(result as T)));
      } catch (err) {
        reject(err);
      }
    });
  }

  private wrap(err: unknown, doing: string): SnmpError {
    if (err instanceof SnmpError) return err;
    const e = err as Error;
    const where = `${this.host}:${this.port}: ${doing}`;
    if (e.name === 'RequestTimedOutError') return new SnmpError('timeout', `${where}: timeout after ${this.options.timeoutMs / 1000} s × ${this.options.retries + 1} tries`, { cause: e });
    if (/not on loopback|not an allowed target/.test(e.message)) return new SnmpError('refused', `${where}: ${e.message}`, { cause: e });
    return new SnmpError('error', `${where}: ${e.message}`, { cause: e });
  }
}
