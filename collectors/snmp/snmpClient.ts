/**
 * The narrow seam around SNMP: get some OIDs, walk a column, close. The poller
 * sees only this interface; unit tests give it a fake keyed by OID, and the
 * real one is net-snmp over the shared UDP multiplexer, except for SNMPv1/v2c
 * GETs, which take the lean path of communityGetCodec (encoded once per
 * request list, decoded without net-snmp's generic codec).
 */
import snmp from 'net-snmp';
import { netSnmpUser, netSnmpVersion, type SnmpCredentials } from '../../shared/snmp/credentials.ts';
import { CodecError, decodeGetResponse, prepareGet, requestedOids, type PreparedGet } from './communityGetCodec.ts';
import type { SnmpValue } from './snmpValue.ts';
import { RequestTimeout, SendFailed, TargetRefused, type UdpMux } from './udpMux.ts';

/** timeout: no answer; refused: the allow-list said no; unsendable: the kernel would not send it. */
export type SnmpErrorKind = 'timeout' | 'refused' | 'unsendable' | 'error';

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

/** A list of OIDs made ready to be asked for again and again (see SnmpClient.prepare). */
export interface GetList {
  readonly size: number;
}

export interface SnmpClient {
  /** Varbinds one request may carry; get() splits longer lists. */
  readonly maxVarbinds: number;
  /** Requests sent and varbinds asked for, since the client was made. */
  readonly stats: { requests: number; varbinds: number };
  /**
   * Readies a list the poller asks for every cycle: it is encoded once, and
   * keeps no OID strings. @throws SnmpError if an OID cannot be encoded.
   */
  prepare(oids: readonly string[]): GetList;
  /**
   * Values in the order asked; null where the agent has no such object or instance.
   * @throws SnmpError on timeout or a refused request.
   */
  get(oids: readonly string[] | GetList): Promise<Array<SnmpValue | null>>;
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
  return snmp.isVarbindError(vb) ? null : snmpValueOf(vb.type!, vb.value);
}

/** A value of a given ObjectType as net-snmp holds it (Counter64 as bytes), as the poller reads it. */
export function snmpValueOf(type: number, value: unknown): SnmpValue {
  switch (type) {
    case snmp.ObjectType.Counter64: {
      const b = value as Buffer;
      let n = 0n;
      for (const byte of b) n = (n << 8n) | BigInt(byte);
      return n;
    }
    case snmp.ObjectType.OctetString:
    case snmp.ObjectType.Opaque:
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
    case snmp.ObjectType.OID:
    case snmp.ObjectType.IpAddress:
      return String(value);
    default:
      return Number(value);
  }
}

/** net-snmp's names for the error-status values of RFC 3416. */
const ERROR_STATUS = snmp.ErrorStatus as unknown as Record<number, string>;

/** SNMPv1/v2c: encoded requests of at most maxVarbinds each; SNMPv3: the OIDs, for net-snmp. */
type PreparedList = { size: number; chunks: PreparedGet[]; oids?: never } | { size: number; oids: readonly string[]; chunks?: never };

export class NetSnmpClient implements SnmpClient {
  readonly #session: snmp.Session;
  readonly #v1: boolean;
  readonly #mux: UdpMux;
  /** SNMPv1/v2c only: the version and community the lean GET path sends. */
  readonly #community: { version: '1' | '2c'; value: Buffer } | null;
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
    this.#mux = mux;
    this.#community = credentials.version === '3' ? null : { version: credentials.version, value: Buffer.from(credentials.community.reveal(), 'utf8') };
  }

  get maxVarbinds(): number {
    return this.options.maxVarbinds;
  }

  prepare(oids: readonly string[]): GetList {
    const community = this.#community;
    if (!community) {
      const list: PreparedList = { size: oids.length, oids: [...oids] };
      return list;
    }
    const chunks: PreparedGet[] = [];
    try {
      for (let i = 0; i < oids.length; i += this.options.maxVarbinds)
        chunks.push(prepareGet(community.version, community.value, oids.slice(i, i + this.options.maxVarbinds)));
    } catch (err) {
      throw this.wrap(err, `getting ${oids.length} objects`);
    }
    const list: PreparedList = { size: oids.length, chunks };
    return list;
  }

  async get(what: readonly string[] | GetList): Promise<Array<SnmpValue | null>> {
    const list = (Array.isArray(what) ? this.prepare(what as readonly string[]) : what) as PreparedList;
    if (list.chunks?.length === 1) return this.leanChunk(list.chunks[0]!);
    const out: Array<SnmpValue | null> = [];
    if (list.chunks) {
      for (const chunk of list.chunks) out.push(...(await this.leanChunk(chunk)));
    } else {
      for (let i = 0; i < list.oids.length; i += this.options.maxVarbinds) out.push(...(await this.getChunk(list.oids.slice(i, i + this.options.maxVarbinds))));
    }
    return out;
  }

  /** SNMPv3, through net-snmp. */
  private async getChunk(oids: readonly string[]): Promise<Array<SnmpValue | null>> {
    this.stats.varbinds += oids.length;
    try {
      const vbs = await this.request<Varbind[]>((cb) => this.#session.get([...oids], cb));
      return vbs.map(convert);
    } catch (err) {
      throw this.wrap(err, `getting ${oids.length} objects`);
    }
  }

  private async leanChunk(request: PreparedGet): Promise<Array<SnmpValue | null>> {
    this.stats.requests++;
    this.stats.varbinds += request.count;
    let response: ReturnType<typeof decodeGetResponse>;
    try {
      const { reply, requestId } = await this.#mux.exchange(this.host, this.port, request.buffer, request.idOffset, this.options);
      response = decodeGetResponse(reply, request, requestId);
    } catch (err) {
      throw this.wrap(err, `getting ${request.count} objects`);
    }
    if (response.errorStatus === 0) return response.values;
    const oids = requestedOids(request);
    const at = response.errorIndex - 1;
    if (this.#v1 && response.errorStatus === snmp.ErrorStatus.NoSuchName && at >= 0 && at < oids.length) {
      // SNMPv1 refuses the whole request for one missing object and names it: ask again without it.
      const rest = [...oids.slice(0, at), ...oids.slice(at + 1)];
      const values = rest.length ? await this.get(rest) : [];
      values.splice(at, 0, null);
      return values;
    }
    const status = ERROR_STATUS[response.errorStatus] ?? `error-status ${response.errorStatus}`;
    throw new SnmpError(
      'error',
      `${this.host}:${this.port}: getting ${request.count} objects: the agent answered ${status}${oids[at] ? ` for ${oids[at]}` : ''}`,
    );
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
    if (e instanceof CodecError) return new SnmpError('error', `${where}: a malformed reply: ${e.message}`, { cause: e });
    if (e instanceof TargetRefused) return new SnmpError('refused', `${where}: ${e.message}`, { cause: e });
    if (e instanceof SendFailed) return new SnmpError('unsendable', `${where}: ${e.message}`, { cause: e });
    // net-snmp's own sends (walks, SNMPv3) fail with node:dgram's error.
    if ((e as NodeJS.ErrnoException).syscall === 'send') return new SnmpError('unsendable', `${where}: ${e.message}`, { cause: e });
    if (e instanceof RequestTimeout || e.name === 'RequestTimedOutError')
      return new SnmpError('timeout', `${where}: timeout after ${this.options.timeoutMs / 1000} s × ${this.options.retries + 1} tries`, { cause: e });
    return new SnmpError('error', `${where}: ${e.message}`, { cause: e });
  }
}
