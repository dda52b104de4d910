/**
 * The lean GET codec on hand-written BER (X.690 and RFC 3416 are the truth
 * here; the bytes below are written out, not produced by the code under
 * test), and on hostile datagrams: any malformed reply is a CodecError.
 */
import { expect } from 'chai';
import { CodecError, decodeGetResponse, encodeOid, peekRequestId, prepareGet, requestedOids } from '../../../collectors/snmp/communityGetCodec.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const len = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, ...len(body.length)]), body]);

/** A GetResponse for `community`, request-id 0x01020304, with the given varbinds (OID body hex, value TLV hex). */
function response(community: string, varbinds: Array<[string, string]>, errorStatus = 0, errorIndex = 0, version = 1): Buffer {
  const list = tlv(0x30, Buffer.concat(varbinds.map(([oid, value]) => tlv(0x30, Buffer.concat([tlv(0x06, hex(oid)), hex(value)])))));
  const pdu = tlv(0xa2, Buffer.concat([hex('02 04 01 02 03 04'), Buffer.from([2, 1, errorStatus, 2, 1, errorIndex]), list]));
  return tlv(0x30, Buffer.concat([Buffer.from([2, 1, version]), tlv(0x04, Buffer.from(community)), pdu]));
}

const SYS_UPTIME = '2b 06 01 02 01 01 03 00';
const ID = 0x01020304;

describe('communityGetCodec', () => {
  it('encodes OIDs as X.690 says, large arcs in base 128', () => {
    expect(encodeOid('1.3.6.1.2.1.1.3.0').toString('hex')).to.equal(SYS_UPTIME.replace(/ /g, ''));
    expect(encodeOid('1.3.6.1.4.1.2011').toString('hex')).to.equal('2b06010401 8f5b'.replace(/ /g, ''));
    expect(encodeOid('1.3.4294967295').toString('hex')).to.equal('2b8fffffff7f');
    expect(encodeOid('2.999.1').toString('hex')).to.equal('883701');
    for (const bad of ['', '1', '1.3.x', '3.1', '1.40', '1.3.4294967296', '.1.3.6']) expect(() => encodeOid(bad), bad).to.throw(CodecError);
  });

  it('lays out a GET with the request-id where it says, and can name its OIDs back', () => {
    const r = prepareGet('2c', Buffer.from('public'), ['1.3.6.1.2.1.1.3.0']);
    // The template's id bytes are a placeholder (01 00 00 00); zero them and compare the whole message.
    const got = Buffer.from(r.buffer);
    got.writeUInt32BE(0, r.idOffset);
    const expected = hex(
      `30 29 02 01 01 04 06 ${Buffer.from('public').toString('hex')} a0 1c 02 04 00 00 00 00 02 01 00 02 01 00 30 0e 30 0c 06 08 ${SYS_UPTIME} 05 00`,
    );
    expect(got.toString('hex')).to.equal(expected.toString('hex'));
    expect(r.buffer.readUInt32BE(r.idOffset)).to.equal(0x0100_0000);
    expect(requestedOids(prepareGet('1', Buffer.from('c'), ['1.3.6.1.2.1.2.2.1.10.7', '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753']))).to.deep.equal([
      '1.3.6.1.2.1.2.2.1.10.7',
      '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753',
    ]);
  });

  it('decodes every value type at its edges', () => {
    const oids = Array.from({ length: 12 }, (_, i) => `1.3.6.1.4.1.9.${i + 1}.0`);
    const r = prepareGet('2c', Buffer.from('c'), oids);
    const body = (i: number) => `2b 06 01 04 01 09 ${(i + 1).toString(16).padStart(2, '0')} 00`;
    const values = [
      '02 04 80 00 00 00', // INTEGER -2^31
      '02 01 ff', // INTEGER -1
      '41 05 00 ff ff ff ff', // Counter32 2^32-1 with its leading zero
      '42 04 b2 d0 5e 00', // Gauge32 3e9
      '43 03 01 86 a0', // TimeTicks 100000
      '46 09 00 ff ff ff ff ff ff ff ff', // Counter64 2^64-1
      '46 06 01 00 00 00 00 00', // Counter64 2^40
      '04 03 47 69 30', // "Gi0"
      '06 06 2b 06 01 04 01 09', // OID 1.3.6.1.4.1.9
      '40 04 0a 01 02 03', // IpAddress
      '80 00', // noSuchObject
      '81 00', // noSuchInstance
    ];
    const decoded = decodeGetResponse(
      response(
        'c',
        values.map((v, i) => [body(i), v]),
      ),
      r,
      ID,
    );
    expect(decoded.errorStatus).to.equal(0);
    expect(decoded.values.slice(0, 7)).to.deep.equal([-(2 ** 31), -1, 2 ** 32 - 1, 3e9, 100000, 2n ** 64n - 1n, 2n ** 40n]);
    expect((decoded.values[7] as Buffer).toString()).to.equal('Gi0');
    expect(decoded.values.slice(8)).to.deep.equal(['1.3.6.1.4.1.9', '10.1.2.3', null, null]);
  });

  it('reports error-status and error-index as sent', () => {
    const r = prepareGet('1', Buffer.from('c'), ['1.3.6.1.2.1.1.3.0']);
    const d = decodeGetResponse(response('c', [[SYS_UPTIME, '05 00']], 2, 1, 0), r, ID);
    expect([d.errorStatus, d.errorIndex, d.values[0]]).to.deep.equal([2, 1, null]);
  });

  it('refuses a reply that does not answer the request, saying how', () => {
    const r = prepareGet('2c', Buffer.from('c'), ['1.3.6.1.2.1.1.3.0']);
    const ok = response('c', [[SYS_UPTIME, '43 01 05']]);
    expect(decodeGetResponse(ok, r, ID).values).to.deep.equal([5]);
    expect(() => decodeGetResponse(ok, r, ID + 1)).to.throw(CodecError, 'different request-id');
    expect(() => decodeGetResponse(response('d', [[SYS_UPTIME, '43 01 05']]), r, ID)).to.throw(CodecError, 'different community');
    expect(() => decodeGetResponse(response('c', [[SYS_UPTIME, '43 01 05']], 0, 0, 0), r, ID)).to.throw(CodecError, 'different SNMP version');
    expect(() => decodeGetResponse(response('c', [['2b 06 01 02 01 01 05 00', '04 00']]), r, ID)).to.throw(
      CodecError,
      'varbind 1: the agent answered 1.3.6.1.2.1.1.5.0 for 1.3.6.1.2.1.1.3.0',
    );
    expect(() => decodeGetResponse(response('c', []), r, ID)).to.throw(CodecError, '0 varbinds for the 1 asked for');
    expect(() =>
      decodeGetResponse(
        response('c', [
          [SYS_UPTIME, '43 01 05'],
          [SYS_UPTIME, '43 01 05'],
        ]),
        r,
        ID,
      ),
    ).to.throw(CodecError, 'more than the 1');
    expect(() => decodeGetResponse(response('c', [[SYS_UPTIME, '41 06 01 00 00 00 00 00']]), r, ID)).to.throw(CodecError, 'varbind 1');
    expect(() => decodeGetResponse(response('c', [[SYS_UPTIME, '47 01 00']]), r, ID)).to.throw(CodecError, 'unknown value type 0x47');
  });

  it('never throws anything but a CodecError on a damaged or random datagram', () => {
    const r = prepareGet('2c', Buffer.from('c'), ['1.3.6.1.2.1.1.3.0', '1.3.6.1.4.1.9.1.0']);
    const good = response('c', [
      [SYS_UPTIME, '43 01 05'],
      ['2b 06 01 04 01 09 01 00', '46 09 00 ff ff ff ff ff ff ff ff'],
    ]);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const cases: Buffer[] = [];
    for (let cut = 0; cut < good.length; cut++) cases.push(good.subarray(0, cut));
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      for (let flips = 1 + Math.floor(rand() * 3); flips > 0; flips--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      cases.push(b);
    }
    for (let i = 0; i < 500; i++) cases.push(Buffer.from(Array.from({ length: Math.floor(rand() * 80) }, () => Math.floor(rand() * 256))));
    let refused = 0;
    for (const c of cases) {
      expect(() => peekRequestId(c)).not.to.throw();
      try {
        decodeGetResponse(c, r, ID);
      } catch (err) {
        expect(err, c.toString('hex')).to.be.instanceOf(CodecError);
        refused++;
      }
    }
    expect(refused).to.be.above(cases.length / 2);
  });

  it('peeks the request-id of v1/v2c messages only', () => {
    expect(peekRequestId(response('c', [[SYS_UPTIME, '43 01 05']]))).to.equal(ID);
    expect(peekRequestId(response('c', [[SYS_UPTIME, '43 01 05']], 0, 0, 3))).to.equal(-1);
    expect(peekRequestId(Buffer.alloc(0))).to.equal(-1);
  });
});
