/**
 * SNMPv1/v2c GET, encoded once per request plan and decoded in place.
 *
 * The poller's steady state is the same few GETs to every device, every
 * cycle. net-snmp's generic codec re-parses every OID string into arcs and
 * back into a string on each request and each reply, and that (with the
 * garbage it leaves) was most of the collector's CPU: about 10 µs per varbind
 * against the 3. Here a request is encoded once, only its request-id
 * is patched per send, and a reply is checked byte-for-byte against the OIDs
 * asked for instead of being turned into strings. net-snmp still does
 * everything else: walks, SNMPv3, traps.
 *
 * Every read is bounds-checked: a malformed or hostile datagram gives a
 * CodecError that says what was wrong, never an exception from a Buffer.
 */
import type { SnmpValue } from './snmpValue.ts';

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** A GET ready to send: patch the request-id at idOffset (4 bytes, big-endian). */
export interface PreparedGet {
  readonly buffer: Buffer;
  readonly idOffset: number;
  readonly version: 0 | 1;
  readonly community: Buffer;
  /** How many OIDs the request asks for. */
  readonly count: number;
  /**
   * Where the varbind list's first varbind starts in buffer. A reply is
   * checked by walking the request's own varbinds beside it: no per-OID
   * copies or offsets to keep, for the quarter of a million OIDs a province
   * polls.
   */
  readonly varbindsOffset: number;
}

export interface GetResponse {
  errorStatus: number;
  /** 1-based, as on the wire. */
  errorIndex: number;
  /** In request order; null for noSuchObject, noSuchInstance and endOfMibView. */
  values: Array<SnmpValue | null>;
}

const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
  getRequest: 0xa0,
  getResponse: 0xa2,
  ipAddress: 0x40,
  counter32: 0x41,
  gauge32: 0x42,
  timeTicks: 0x43,
  opaque: 0x44,
  counter64: 0x46,
  noSuchObject: 0x80,
  noSuchInstance: 0x81,
  endOfMibView: 0x82,
} as const;

/** Request-ids always take four bytes on the wire, so the prepared buffer never changes size. */
export const MIN_REQUEST_ID = 0x0100_0000;
export const MAX_REQUEST_ID = 0x7fff_ffff;

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  throw new CodecError(`a length of ${n} bytes is too big for one SNMP datagram`);
}

function tlv(tag: number, body: number[] | Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, ...lengthBytes(body.length)]), Buffer.from(body)]);
}

/** The BER body of a dotted OID such as 1.3.6.1.2.1.1.3.0. @throws CodecError */
export function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.');
  if (arcs.length < 2 || !arcs.every((a) => /^\d{1,10}$/.test(a))) throw new CodecError(`"${oid}" is not a dotted numeric OID`);
  const n = arcs.map(Number);
  if (n.some((a) => a > 0xffff_ffff) || n[0]! > 2 || (n[0]! < 2 && n[1]! >= 40)) throw new CodecError(`"${oid}" has an arc out of range`);
  const out: number[] = [];
  const push = (arc: number) => {
    const groups = [arc % 128];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift((rest % 128) | 0x80);
    out.push(...groups);
  };
  push(n[0]! * 40 + n[1]!);
  for (const arc of n.slice(2)) push(arc);
  return Buffer.from(out);
}

/** @throws CodecError on an OID that cannot be encoded, or a request too big for a datagram. */
export function prepareGet(version: '1' | '2c', community: Buffer, oids: readonly string[]): PreparedGet {
  const encoded = oids.map(encodeOid);
  const varbinds = encoded.map((o) => tlv(TAG.sequence, Buffer.concat([tlv(TAG.oid, o), Buffer.from([TAG.null, 0])])));
  const pduBody = Buffer.concat([Buffer.from([TAG.integer, 4, 1, 0, 0, 0, TAG.integer, 1, 0, TAG.integer, 1, 0]), tlv(TAG.sequence, Buffer.concat(varbinds))]);
  const pdu = tlv(TAG.getRequest, pduBody);
  const v = version === '1' ? 0 : 1;
  const head = Buffer.concat([Buffer.from([TAG.integer, 1, v]), tlv(TAG.octetString, community)]);
  const message = tlv(TAG.sequence, Buffer.concat([head, pdu]));
  // A buffer of its own: a small Buffer is a slice of an 8 KB pool, and would keep the whole pool alive.
  const buffer = Buffer.alloc(message.length);
  message.copy(buffer);
  // The request-id's four value bytes sit right after the PDU's tag and length and the INTEGER's tag and length.
  const idOffset = buffer.length - pdu.length + 1 + lengthBytes(pduBody.length).length + 2;
  const varbindsOffset = buffer.length - varbinds.reduce((n, vb) => n + vb.length, 0);
  return { buffer, idOffset, version: v, community, count: encoded.length, varbindsOffset };
}

/** A cursor over one datagram; every step checks the bounds. */
class Reader {
  pos = 0;
  /** The tag header() read last. */
  tag = 0;
  constructor(private readonly buf: Buffer) {}

  /** Reads a tag (into this.tag) and a length; returns the length and leaves pos at the value. */
  header(): number {
    const b = this.buf;
    if (this.pos + 2 > b.length) throw new CodecError(`truncated at byte ${this.pos}`);
    this.tag = b[this.pos++]!;
    let length = b[this.pos++]!;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 3 || this.pos + count > b.length) throw new CodecError(`bad length at byte ${this.pos - 1}`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + b[this.pos++]!;
    }
    if (this.pos + length > b.length) throw new CodecError(`a value of ${length} bytes at byte ${this.pos} runs past the end of the datagram`);
    return length;
  }

  expect(tag: number, what: string): number {
    const length = this.header();
    if (this.tag !== tag) throw new CodecError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${this.tag.toString(16)}`);
    return length;
  }

  integer(what: string): number {
    const length = this.expect(TAG.integer, what);
    return this.signed(length, what);
  }

  signed(length: number, what: string): number {
    if (length < 1 || length > 6) throw new CodecError(`${what}: an INTEGER of ${length} bytes`);
    const b = this.buf;
    const negative = (b[this.pos]! & 0x80) !== 0;
    let n = 0;
    for (let i = 0; i < length; i++) n = n * 256 + b[this.pos++]!;
    return negative ? n - 2 ** (8 * length) : n;
  }

  unsigned(length: number, what: string): number {
    if (length < 1 || length > 5) throw new CodecError(`${what}: an unsigned value of ${length} bytes`);
    const n = this.unsignedWide(length);
    if (n > 0xffff_ffff) throw new CodecError(`${what}: ${n} does not fit 32 bits`);
    return n;
  }

  /**
   * In a request we encoded ourselves: steps over one varbind (SEQUENCE, OID,
   * NULL) and returns the OID's length; its body ends 2 bytes before pos.
   */
  nextRequestedOidLength(): number {
    this.expect(TAG.sequence, 'request varbind');
    const length = this.expect(TAG.oid, 'request OID');
    this.pos += length + 2;
    return length;
  }

  nextRequestedOid(): Buffer {
    const length = this.nextRequestedOidLength();
    return this.buf.subarray(this.pos - 2 - length, this.pos - 2);
  }

  peek(): number {
    return this.buf[this.pos]!;
  }

  /** Up to six bytes, big-endian, as a number (exact: at most 48 bits). */
  unsignedWide(length: number): number {
    const b = this.buf;
    let n = 0;
    for (let i = 0; i < length; i++) n = n * 256 + b[this.pos++]!;
    return n;
  }

  /** Whether the next `length` bytes equal `length` bytes of `other` from `at`. */
  bytesEqual(length: number, other: Buffer, at = 0, otherLength = other.length): boolean {
    if (length !== otherLength) return false;
    for (let i = 0; i < length; i++) if (this.buf[this.pos + i] !== other[at + i]) return false;
    return true;
  }

  take(length: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

/** The OIDs a prepared GET asks for, as dotted text (for messages, and for net-snmp when the lean path hands over). */
export function requestedOids(request: PreparedGet): string[] {
  const out: string[] = [];
  const t = new Reader(request.buffer);
  t.pos = request.varbindsOffset;
  for (let k = 0; k < request.count; k++) out.push(oidText(t.nextRequestedOid()));
  return out;
}

function oidText(body: Buffer): string {
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of body) {
    arc = arc * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (arcs.length === 0) arcs.push(arc < 80 ? Math.floor(arc / 40) : 2, arc < 80 ? arc % 40 : arc - 80);
      else arcs.push(arc);
      arc = 0;
    }
  }
  return arcs.join('.');
}

/**
 * The request-id of an SNMPv1/v2c message, or -1 for anything else (SNMPv3,
 * garbage). Cheap: it stops at the request-id.
 */
export function peekRequestId(buf: Buffer): number {
  try {
    const r = new Reader(buf);
    r.expect(TAG.sequence, 'message');
    const version = r.integer('version');
    if (version !== 0 && version !== 1) return -1;
    const communityLength = r.expect(TAG.octetString, 'community');
    r.pos += communityLength;
    r.header();
    return r.integer('request-id');
  } catch {
    return -1;
  }
}

/**
 * Decodes the reply to a prepared GET. The reply must carry the same version,
 * community and request-id, and answer exactly the OIDs asked, in order
 * (RFC 3416 §4.2.1); anything else is a CodecError naming the difference.
 */
export function decodeGetResponse(buf: Buffer, request: PreparedGet, requestId: number): GetResponse {
  const r = new Reader(buf);
  r.expect(TAG.sequence, 'message');
  if (r.integer('version') !== request.version) throw new CodecError('the reply has a different SNMP version');
  const communityLength = r.expect(TAG.octetString, 'community');
  if (!r.bytesEqual(communityLength, request.community)) throw new CodecError('the reply has a different community');
  r.pos += communityLength;
  r.expect(TAG.getResponse, 'PDU');
  if (r.integer('request-id') !== requestId) throw new CodecError('the reply has a different request-id');
  const errorStatus = r.integer('error-status');
  const errorIndex = r.integer('error-index');
  const listEnd = r.expect(TAG.sequence, 'varbind list') + r.pos;
  const count = request.count;
  const asked = new Reader(request.buffer);
  asked.pos = request.varbindsOffset;
  const values: Array<SnmpValue | null> = new Array(count);
  let k = 0;
  try {
    while (r.pos < listEnd) {
      if (k >= count) throw new CodecError(`the reply has more than the ${count} varbinds asked for`);
      const end = r.expect(TAG.sequence, 'varbind') + r.pos;
      const oidLength = r.expect(TAG.oid, 'name');
      const askedLength = asked.nextRequestedOidLength();
      if (!r.bytesEqual(oidLength, request.buffer, asked.pos - 2 - askedLength, askedLength)) {
        throw new CodecError(
          `the agent answered ${oidText(r.take(oidLength))} for ${oidText(request.buffer.subarray(asked.pos - 2 - askedLength, asked.pos - 2))}`,
        );
      }
      r.pos += oidLength;
      const length = r.header();
      values[k] = readValue(r, r.tag, length);
      if (r.pos !== end) throw new CodecError(`${end - r.pos} stray bytes after the value`);
      k++;
    }
  } catch (err) {
    throw err instanceof CodecError && k < count ? new CodecError(`varbind ${k + 1}: ${err.message}`) : err;
  }
  if (k !== count) throw new CodecError(`the reply has ${k} varbinds for the ${count} asked for`);
  return { errorStatus, errorIndex, values };
}

function readValue(r: Reader, tag: number, length: number): SnmpValue | null {
  const where = 'value';
  switch (tag) {
    case TAG.integer:
      return r.signed(length, where);
    case TAG.counter32:
    case TAG.gauge32:
    case TAG.timeTicks:
      return r.unsigned(length, where);
    case TAG.counter64: {
      if (length < 1 || length > 9 || (length === 9 && r.peek() !== 0)) throw new CodecError(`${where}: a Counter64 of ${length} bytes`);
      // Up to 48 bits fit a double exactly; beyond, two halves.
      if (length <= 6) return BigInt(r.unsignedWide(length));
      const hi = r.unsignedWide(length - 4);
      return (BigInt(hi) << 32n) | BigInt(r.unsignedWide(4));
    }
    case TAG.octetString:
    case TAG.opaque:
      return r.take(length);
    case TAG.oid:
      return oidText(r.take(length));
    case TAG.ipAddress: {
      if (length !== 4) throw new CodecError(`${where}: an IpAddress of ${length} bytes`);
      return [...r.take(4)].join('.');
    }
    case TAG.null:
    case TAG.noSuchObject:
    case TAG.noSuchInstance:
    case TAG.endOfMibView:
      r.pos += length;
      return null;
    default:
      throw new CodecError(`${where}: unknown value type 0x${tag.toString(16)}`);
  }
}
