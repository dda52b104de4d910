/**
 * The lean SNMPv1/v2c GET path against Debian's Net-SNMP: our request bytes
 * must be the bytes Debian's snmpget sends for the same GET, and what we
 * decode from Debian's snmpd must be what snmpget prints.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { decodeGetResponse, peekRequestId, prepareGet } from '../../collectors/snmp/communityGetCodec.ts';
import { NetSnmpClient, SnmpError } from '../../collectors/snmp/snmpClient.ts';
import { UdpMux } from '../../collectors/snmp/udpMux.ts';
import { Secret } from '../../shared/secret.ts';
import { snmpget, startSnmpd, type SnmpdAgent } from '../support/snmpTools.ts';

const COMMUNITY = 'codec-test-community';
const FIXED = {
  int: '1.3.6.1.4.1.99999.1.0',
  counter: '1.3.6.1.4.1.99999.2.0',
  gauge: '1.3.6.1.4.1.99999.3.0',
  text: '1.3.6.1.4.1.99999.4.0',
  oid: '1.3.6.1.4.1.99999.5.0',
};
const MISSING = '1.3.6.1.4.1.99999.77.0';
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const IF_HC_IN_OCTETS_1 = '1.3.6.1.2.1.31.1.1.1.6.1';

/** Catches one datagram that Debian's snmpget sends, and answers nothing. */
async function snmpgetRequestBytes(version: '1' | '2c', oids: string[]): Promise<Buffer> {
  const trap = dgram.createSocket('udp4');
  await new Promise<void>((r) => trap.bind(0, '127.0.0.1', () => r()));
  const got = new Promise<Buffer>((r) => trap.once('message', (m) => r(m)));
  const tool = snmpget(trap.address().port, { version, community: COMMUNITY }, oids, 1);
  const message = await got;
  await tool;
  trap.close();
  return message;
}

describe('lean SNMPv1/v2c GET against Debian Net-SNMP', function () {
  this.timeout(60_000);
  let snmpd: SnmpdAgent;
  let port: number;

  before(async () => {
    snmpd = await startSnmpd(
      'codec',
      [
        `rocommunity ${COMMUNITY} 127.0.0.1`,
        `override .${FIXED.int} integer -2147483648`,
        `override .${FIXED.counter} counter 4294967295`,
        `override .${FIXED.gauge} uinteger 3000000000`,
        `override .${FIXED.text} octet_str "GigabitEthernet0/0/1"`,
        `override .${FIXED.oid} object_id .1.3.6.1.4.1.2011.2.23.4294967295`,
      ],
      COMMUNITY,
    );
    port = snmpd.port;
  });
  after(async () => snmpd?.stop());

  for (const version of ['1', '2c'] as const) {
    it(`encodes a v${version} GET byte for byte as Debian's snmpget does`, async () => {
      const oids = [SYS_DESCR, IF_HC_IN_OCTETS_1, FIXED.oid, '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753', '1.3.6.1.4.1.4294967295.0'];
      const request = prepareGet(version, Buffer.from(COMMUNITY), oids);
      // snmpget picks a random request-id; ours always takes four bytes. Retry the rare short one.
      for (let attempt = 0; ; attempt++) {
        const theirs = await snmpgetRequestBytes(version, oids);
        const id = peekRequestId(theirs);
        expect(id, 'snmpget sent a GET we can read').to.be.at.least(0);
        if (id < 0x0100_0000 && attempt < 5) continue;
        const ours = Buffer.from(request.buffer);
        ours.writeUInt32BE(id, request.idOffset);
        expect(ours.toString('hex')).to.equal(theirs.toString('hex'));
        return;
      }
    });
  }

  it("decodes snmpd's replies to the values snmpget prints", async () => {
    const mux = new UdpMux(() => null, { socketCount: 1 });
    try {
      const oids = [...Object.values(FIXED), SYS_DESCR, SYS_OBJECT_ID, MISSING];
      const request = prepareGet('2c', Buffer.from(COMMUNITY), oids);
      const { reply, requestId } = await mux.exchange('127.0.0.1', port, request.buffer, request.idOffset, { timeoutMs: 2000, retries: 0 });
      const decoded = decodeGetResponse(reply, request, requestId);
      const printed = (await snmpget(port, { version: '2c', community: COMMUNITY }, oids)).values;
      expect(decoded.errorStatus).to.equal(0);
      expect(decoded.values[0]).to.equal(Number(printed.get(FIXED.int)));
      expect(decoded.values[0]).to.equal(-2147483648);
      expect(decoded.values[1]).to.equal(Number(printed.get(FIXED.counter)));
      expect(decoded.values[2]).to.equal(Number(printed.get(FIXED.gauge)));
      expect(`"${(decoded.values[3] as Buffer).toString()}"`).to.equal(printed.get(FIXED.text));
      expect(`.${decoded.values[4]}`).to.equal(printed.get(FIXED.oid));
      expect(`"${(decoded.values[5] as Buffer).toString()}"`).to.equal(printed.get(SYS_DESCR));
      expect(`.${decoded.values[6]}`).to.equal(printed.get(SYS_OBJECT_ID));
      expect(printed.get(MISSING)).to.match(/No Such Object/);
      expect(decoded.values[7]).to.equal(null);

      // A Counter64 that moves: ours must fall between two readings by snmpget.
      const hc = prepareGet('2c', Buffer.from(COMMUNITY), [IF_HC_IN_OCTETS_1]);
      const before = BigInt((await snmpget(port, { version: '2c', community: COMMUNITY }, [IF_HC_IN_OCTETS_1])).values.get(IF_HC_IN_OCTETS_1)!);
      const got = await mux.exchange('127.0.0.1', port, hc.buffer, hc.idOffset, { timeoutMs: 2000, retries: 0 });
      const ours = decodeGetResponse(got.reply, hc, got.requestId).values[0] as bigint;
      const after = BigInt((await snmpget(port, { version: '2c', community: COMMUNITY }, [IF_HC_IN_OCTETS_1])).values.get(IF_HC_IN_OCTETS_1)!);
      expect(typeof ours).to.equal('bigint');
      expect(ours >= before && ours <= after, `${before} ≤ ${ours} ≤ ${after}`).to.equal(true);
    } finally {
      mux.close();
    }
  });

  it('asks again without the missing object when an SNMPv1 agent answers noSuchName', async () => {
    const mux = new UdpMux(() => null, { socketCount: 1 });
    const client = new NetSnmpClient('127.0.0.1', port, { version: '1', community: new Secret(COMMUNITY) }, mux, {
      timeoutMs: 2000,
      retries: 0,
      maxVarbinds: 40,
      maxRepetitions: 10,
    });
    try {
      const values = await client.get(client.prepare([FIXED.int, MISSING, FIXED.text]));
      expect(values[0]).to.equal(-2147483648);
      expect(values[1]).to.equal(null);
      expect((values[2] as Buffer).toString()).to.equal('GigabitEthernet0/0/1');
    } finally {
      client.close();
      mux.close();
    }
  });

  it('times out on a wrong community with an error that says where and how long', async () => {
    const mux = new UdpMux(() => null, { socketCount: 1 });
    const client = new NetSnmpClient('127.0.0.1', port, { version: '2c', community: new Secret('not-the-community') }, mux, {
      timeoutMs: 300,
      retries: 1,
      maxVarbinds: 40,
      maxRepetitions: 10,
    });
    try {
      const err = await client.get([SYS_DESCR]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(SnmpError);
      expect((err as SnmpError).kind).to.equal('timeout');
      expect((err as SnmpError).message).to.equal(`127.0.0.1:${port}: getting 1 objects: timeout after 0.3 s × 2 tries`);
      expect((err as SnmpError).message).not.to.contain('not-the-community');
    } finally {
      client.close();
      mux.close();
    }
  });

  it('says refused, from the allow-list, for a walk and a GET alike, before a packet leaves', async () => {
    // A refusing check on loopback itself: nothing may reach the agent, which would answer.
    const mux = new UdpMux(() => 'target not allowed here', { socketCount: 1 });
    const client = new NetSnmpClient('127.0.0.1', port, { version: '2c', community: new Secret(COMMUNITY) }, mux, {
      timeoutMs: 2000,
      retries: 0,
      maxVarbinds: 40,
      maxRepetitions: 10,
    });
    try {
      for (const attempt of [() => client.walk('1.3.6.1.2.1.1'), () => client.get([SYS_DESCR])]) {
        const err = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(SnmpError);
        expect((err as SnmpError).kind).to.equal('refused');
        expect((err as SnmpError).message).to.contain('target not allowed here');
      }
    } finally {
      client.close();
      mux.close();
    }
  });
});
