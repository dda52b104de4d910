/**
 * The collector against Debian's snmpd, a real agent serving this machine's
 * interfaces: SNMPv2c and SNMPv3 authPriv (createUser), with the kernel's own
 * counters for the loopback interface (/proc/net/dev) as the truth.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { Collector } from '../../collectors/collector.ts';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { snmpget, snmpwalk, startSnmpd, type SnmpdAgent } from '../support/snmpTools.ts';

const ENV = {
  TEST_SNMPD_COMMUNITY: 'snmpd-test-community',
  TEST_SNMPD_AUTH_KEY: 'snmpd-auth-key-1',
  TEST_SNMPD_PRIV_KEY: 'snmpd-priv-key-1',
  TEST_SNMPD_WRONG_KEY: 'not-the-right-key',
};

/** Loopback octets received and sent, as the kernel counts them. */
async function kernelLo(): Promise<{ rx: number; tx: number }> {
  const line = (await readFile('/proc/net/dev', 'utf8')).split('\n').find((l) => l.trim().startsWith('lo:'))!;
  const f = line.split(':')[1]!.trim().split(/\s+/).map(Number);
  return { rx: f[0]!, tx: f[8]! };
}

/** Sends `bytes` over loopback to a socket of our own. */
async function loopbackBurst(bytes: number): Promise<void> {
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const port = sink.address().port;
  const src = dgram.createSocket('udp4');
  const chunk = Buffer.alloc(8000);
  for (let sent = 0; sent < bytes; sent += chunk.length) await new Promise<void>((r) => src.send(chunk, port, '127.0.0.1', () => r()));
  src.close();
  sink.close();
}

/** A collector for the test host's devices, all on the one snmpd. */
function hostCollector(topology: Awaited<ReturnType<typeof loadTopology>>, port: number, options: { devices?: string[] } = {}): Collector {
  return new Collector({
    topology,
    endpoints: new Map(topology.devices.map((d) => [d.id, { host: '127.0.0.1', port }])),
    credentials: credentialsFor(topology, { env: ENV }),
    production: false,
    sink: null,
    live: new LiveState(),
    log: memoryLogger(),
    ...options,
    // Three devices on one agent: the multiplexer must route each reply to the session that asked.
    client: { timeoutMs: 2000, retries: 0, maxVarbinds: 40, maxRepetitions: 25 },
  });
}

/** What a careless or hostile admin might put in sysDescr; the console must show it as text. */
const HOSTILE_SYSDESCR = '<script>alert("sysDescr")</script> edge router';

describe('collector against Debian snmpd (kernel counters as truth)', function () {
  this.timeout(90_000);
  let snmpd: SnmpdAgent;
  let port: number;

  before(async () => {
    snmpd = await startSnmpd(
      'snmpd',
      [
        `sysdescr ${HOSTILE_SYSDESCR}`,
        `rocommunity ${ENV.TEST_SNMPD_COMMUNITY} 127.0.0.1`,
        `createUser nmsv3 SHA "${ENV.TEST_SNMPD_AUTH_KEY}" AES "${ENV.TEST_SNMPD_PRIV_KEY}"`,
        'rouser nmsv3 priv',
      ],
      ENV.TEST_SNMPD_COMMUNITY,
    );
    port = snmpd.port;
  });
  after(async () => snmpd?.stop());

  it('reads loopback counters over v2c and v3 authPriv that match the kernel’s, with a known burst between polls', async () => {
    const topology = await loadTopology('test/fixtures/topology/snmpd-host.yaml');
    const collector = hostCollector(topology, port);
    try {
      const before = await kernelLo();
      const first = { v2c: await collector.pollDevice('host-v2c'), v3: await collector.pollDevice('host-v3') };
      // snmpd caches its interface table for a few seconds; let that pass on both sides of a known burst.
      await new Promise((r) => setTimeout(r, 4000));
      const BURST = 20_000_000;
      await loopbackBurst(BURST);
      await new Promise((r) => setTimeout(r, 6000));
      const second = { v2c: await collector.pollDevice('host-v2c'), v3: await collector.pollDevice('host-v3') };
      const after = await kernelLo();
      for (const v of ['v2c', 'v3'] as const) {
        const r1 = first[v].outcomes[0]!.result.reading!;
        const r2 = second[v].outcomes[0]!.result.reading!;
        expect(r1.width, v).to.equal(64);
        expect(first[v].poll.resolved, v).to.equal(true);
        const dIn = Number(r2.inOctets - r1.inOctets);
        expect(dIn, `${v}: the burst shows`).to.be.at.least(BURST);
        expect(dIn, `${v}: no more than the kernel counted around both polls`).to.be.at.most(after.rx - before.rx + 1_000_000);
        const outcome = second[v].outcomes[0]!.outcome;
        expect(outcome?.kind, v).to.equal('rate');
        expect(second[v].poll.uptimeCs, v).to.be.above(first[v].poll.uptimeCs!);
      }
      // Health by HOST-RESOURCES-MIB discovery: the RAM row, whose size the kernel knows
      // (/proc/meminfo MemTotal, in KiB). Net-SNMP publishes hrProcessorLoad only after its
      // first minute of samples, so a just-started snmpd has no CPU figure yet: null, not 0.
      expect(second.v2c.poll.cpuPct === null || (second.v2c.poll.cpuPct >= 0 && second.v2c.poll.cpuPct <= 100)).to.equal(true);
      expect(second.v2c.poll.memPct).to.be.within(0.1, 100);
      const memTotalKiB = Number(/^MemTotal:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'))![1]);
      const ram = await snmpget(port, { version: '2c', community: ENV.TEST_SNMPD_COMMUNITY }, [
        '1.3.6.1.2.1.25.2.3.1.2.1',
        '1.3.6.1.2.1.25.2.3.1.4.1',
        '1.3.6.1.2.1.25.2.3.1.5.1',
      ]);
      const [type, unit, size] = [...ram.values.values()];
      expect(type).to.equal('.1.3.6.1.2.1.25.2.1.2');
      expect((Number(size) * Number(unit)) / 1024).to.equal(memTotalKiB);
      // Debian's snmpget reads the same counter the collector read, at the same ifIndex.
      const ifIndex = second.v2c.outcomes[0]!.result.ifIndex!;
      const direct = await snmpget(port, { version: '2c', community: ENV.TEST_SNMPD_COMMUNITY }, [`1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`]);
      expect(direct.values.get(`1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`)).to.equal('"lo"');
    } finally {
      await collector.stop();
    }
  });

  it("reads a device's inventory for the console as Debian's snmpwalk sees it, device strings kept as sent", async () => {
    const topology = await loadTopology('test/fixtures/topology/snmpd-host.yaml');
    const collector = hostCollector(topology, port);
    try {
      // Polled once, as the running product has, so the circuit's interface is known.
      await collector.pollDevice('host-v2c');
      const inv = await collector.inventory('host-v2c');
      const auth = { version: '2c' as const, community: ENV.TEST_SNMPD_COMMUNITY };
      const unquote = (v: string) => v.replace(/^"|"$/g, '');
      const names = await snmpwalk(port, auth, '1.3.6.1.2.1.31.1.1.1.1');
      expect(inv.interfaces.map((i) => [i.ifIndex, i.ifName])).to.deep.equal([...names.values].map(([oid, v]) => [Number(oid.split('.').pop()), unquote(v)]));
      const oper = await snmpwalk(port, auth, '1.3.6.1.2.1.2.2.1.8');
      expect(inv.interfaces.map((i) => i.operUp)).to.deep.equal([...oper.values.values()].map((v) => v === '1'));
      expect(inv.sysDescr).to.equal(HOSTILE_SYSDESCR);
      expect(inv.interfaces.find((i) => i.ifName === 'lo')?.circuitId).to.equal(topology.circuits[0]!.id);
      // Asked again at once: served from memory, not walked again.
      const requests = collector.stats.requests;
      expect(await collector.inventory('host-v2c')).to.equal(inv);
      expect(collector.stats.requests).to.equal(requests);
    } finally {
      await collector.stop();
    }
  });

  it('refuses a wrong v3 key with an error that names the device', async () => {
    const topology = await loadTopology('test/fixtures/topology/snmpd-host.yaml');
    const collector = hostCollector(topology, port, { devices: ['host-v3-wrong'] });
    try {
      const { poll } = await collector.pollDevice('host-v3-wrong');
      expect(poll.reachable).to.equal(false);
      expect(poll.error).to.match(new RegExp(`^device host-v3-wrong: 127\\.0\\.0\\.1:${port}: walking 1\\.3\\.6\\.1\\.2\\.1\\.31\\.1\\.1\\.1\\.1: `));
      expect(poll.error).not.to.include(ENV.TEST_SNMPD_WRONG_KEY);
    } finally {
      await collector.stop();
    }
  });

  it('refuses a real management address outside production, before sending anything', async () => {
    const topology = await loadTopology('topology.yaml');
    const collector = new Collector({
      topology,
      endpoints: new Map([['hy-core-1', { host: '10.43.0.1', port: 161 }]]),
      credentials: () => {
        throw new Error('not reached');
      },
      production: false,
      sink: null,
      live: new LiveState(),
      log: memoryLogger(),
      devices: ['hy-core-1'],
    });
    expect(collector.pollers.size).to.equal(0);
    expect(collector.unpollable.get('hy-core-1')).to.equal(
      'device hy-core-1: target 10.43.0.1:161 is not on loopback; outside production (production: true in nms.yaml) the collector polls only 127.0.0.0/8 and ::1',
    );
    await collector.stop();
  });
});
