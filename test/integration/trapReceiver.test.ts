/**
 * The trap receiver against the simulator's traps (SNMPv3 from the cores,
 * v2c from the department CPE) and Debian's snmptrap (SNMPv1), with the
 * simulator's ground truth for when the link went down. Unknown senders and
 * garbage are counted, never acted on, and never stop it.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import type { TrapObservation } from '../../shared/alarms/types.ts';
import { TrapReceiver } from '../../collectors/traps/trapReceiver.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology, parseTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { SnmpCredentials } from '../../shared/snmp/credentials.ts';
import { Simulator } from '../../sim/simulator.ts';
import { waitFor } from '../support/processes.ts';
import { udpFreePort } from '../support/ports.ts';
import { LEGACY_COMMUNITY, TEST_ENV, TEST_SECRETS } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';

const run = promisify(execFile);

describe('trap receiver', function () {
  this.timeout(60_000);
  let topology: Topology;
  let sim: Simulator;
  let receiver: TrapReceiver;
  let dir: { path: string; remove(): Promise<void> };
  let port: number;
  const heard: TrapObservation[] = [];
  const confirmed: string[] = [];
  const log = memoryLogger();

  before(async () => {
    topology = await loadTopology('topology.yaml');
    dir = await tempDir('traps');
    port = await udpFreePort();
    const creds = credentialsFor(topology, TEST_SECRETS);
    receiver = await TrapReceiver.start({
      topology,
      credentials: new Map<string, SnmpCredentials>(topology.devices.filter((d) => d.managed).map((d) => [d.id, creds(d)])),
      circuitAtIfIndex: () => null,
      onTrap: (t) => heard.push(t),
      confirm: (d) => confirmed.push(d),
      log,
      port,
    });
    sim = await Simulator.start({
      topology,
      secrets: TEST_SECRETS,
      log: memoryLogger(),
      truthDir: join(dir.path, 't'),
      basePort: 0,
      trapTargets: [{ host: '127.0.0.1', port }],
    });
  });
  after(async () => {
    await sim?.stop();
    await receiver?.close();
    await dir?.remove();
  });

  it('maps an SNMPv3 linkDown from a core router to its circuit, within a second of the truth', async () => {
    const { atMs } = sim.inject({ fault: 'link-down', circuit: 'HY-HYX' });
    await waitFor('the linkDown trap', async () => heard.some((t) => t.kind === 'linkDown'), 10_000);
    const t = heard.find((x) => x.kind === 'linkDown')!;
    expect([t.deviceId, t.circuitId]).to.deep.equal(['hy-core-1', 'HY-HYX']);
    expect(Math.abs(t.atMs - atMs)).to.be.below(1000);
    expect(confirmed).to.include('hy-core-1');
    // The county router is cut off by this very link: its trap never leaves it.
    expect(heard.filter((x) => x.deviceId === 'hyx-rtr-1')).to.deep.equal([]);
    sim.inject({ fault: 'link-up', circuit: 'HY-HYX' });
    await waitFor('the linkUp traps', async () => heard.filter((x) => x.kind === 'linkUp').length >= 2, 10_000);
    expect(heard.filter((x) => x.kind === 'linkUp').map((x) => [x.deviceId, x.circuitId])).to.have.deep.members([
      ['hy-core-1', 'HY-HYX'],
      ['hyx-rtr-1', 'HY-HYX'],
    ]);
  });

  it('takes an SNMPv1 linkDown from Debian snmptrap by its agent address and ifIndex', async () => {
    const legacy = topology.devices.find((d) => d.snmpProfile === 'legacy-v1')!;
    const before = heard.length;
    // snmptrap -v1: enterprise, agent-addr, generic 2 (linkDown), specific 0, uptime, then ifIndex.
    await run('snmptrap', [
      '-m',
      '',
      '-v',
      '1',
      '-c',
      LEGACY_COMMUNITY,
      `127.0.0.1:${port}`,
      '1.3.6.1.4.1.9.1',
      legacy.address!,
      '2',
      '0',
      '',
      '1.3.6.1.2.1.2.2.1.1.3',
      'i',
      '3',
    ]);
    await waitFor('the v1 trap', async () => heard.length > before, 10_000);
    expect(heard.at(-1)).to.include({ kind: 'linkDown', deviceId: legacy.id });
  });

  it('counts a trap from an unknown address, a wrong community and garbage, and keeps listening', async () => {
    const start = { ...receiver.stats };
    const cpe = topology.devices.find((d) => d.snmpProfile === 'cpe-v2c')!;
    await run('snmptrap', [
      '-m',
      '',
      '-v',
      '2c',
      '-c',
      TEST_ENV.NMS_SNMP_CPE_COMMUNITY,
      `127.0.0.1:${port}`,
      '',
      '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.6.3.18.1.3.0',
      'a',
      '192.0.2.77',
    ]);
    await run('snmptrap', [
      '-m',
      '',
      '-v',
      '2c',
      '-c',
      'not-our-community',
      `127.0.0.1:${port}`,
      '',
      '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.6.3.18.1.3.0',
      'a',
      cpe.address!,
    ]);
    const sock = dgram.createSocket('udp4');
    for (const junk of [Buffer.from('not snmp at all'), Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02]), Buffer.alloc(0)])
      await new Promise((r) => sock.send(junk, port, '127.0.0.1', r));
    sock.close();
    await waitFor(
      'all five counted',
      async () => receiver.stats.unknownSource - start.unknownSource === 1 && receiver.stats.refused - start.refused >= 3,
      10_000,
    );
    expect(receiver.stats.accepted).to.equal(start.accepted);
    // Still listening: a good v2c linkUp from the CPE is taken.
    await run('snmptrap', [
      '-m',
      '',
      '-v',
      '2c',
      '-c',
      TEST_ENV.NMS_SNMP_CPE_COMMUNITY,
      `127.0.0.1:${port}`,
      '',
      '1.3.6.1.6.3.1.1.5.4',
      '1.3.6.1.6.3.18.1.3.0',
      'a',
      cpe.address!,
    ]);
    await waitFor('the good trap', async () => receiver.stats.accepted === start.accepted + 1, 10_000);
    // And a warmStart from it: a reboot, with no circuit.
    await run('snmptrap', [
      '-m',
      '',
      '-v',
      '2c',
      '-c',
      TEST_ENV.NMS_SNMP_CPE_COMMUNITY,
      `127.0.0.1:${port}`,
      '',
      '1.3.6.1.6.3.1.1.5.2',
      '1.3.6.1.6.3.18.1.3.0',
      'a',
      cpe.address!,
    ]);
    await waitFor('the warmStart', async () => heard.some((t) => t.kind === 'warmStart'), 10_000);
    expect(heard.find((t) => t.kind === 'warmStart')).to.include({ deviceId: cpe.id, circuitId: null });
    expect(log.lines.join('\n')).not.to.contain(TEST_ENV.NMS_SNMP_CPE_COMMUNITY);
  });

  it('takes a storm of hostile traps without one raw control character, credential or digest in the log, then still hears a real linkDown', async function () {
    this.timeout(60_000);
    const cpe = topology.devices.find((d) => d.snmpProfile === 'cpe-v2c')!;
    const community = TEST_ENV.NMS_SNMP_CPE_COMMUNITY;
    const nearMiss = `${community.slice(0, -1)}X`;
    const forged = 'evil\n2026-12-02T00:00:00.000Z info [nms/alarms] FORGED\u001b[31m\u202e';
    const wrongKey = 'wrong-auth-key-0123456789';
    const trap = (args: string[]) =>
      run('snmptrap', [
        '-m',
        '',
        ...args,
        `127.0.0.1:${port}`,
        '',
        '1.3.6.1.6.3.1.1.5.3',
        '1.3.6.1.6.3.18.1.3.0',
        'a',
        cpe.address!,
        '1.3.6.1.2.1.31.1.1.1.18.1',
        's',
        `${'x'.repeat(8000)}\u001b]0;owned\u0007`,
      ]);
    const before = { ...receiver.stats };
    log.lines.length = 0;
    await trap(['-v', '2c', '-c', forged]);
    await trap(['-v', '2c', '-c', nearMiss]);
    // SNMPv3 with the core routers' user and a wrong key: net-snmp's error carries the digest made with the real key.
    await run('snmptrap', [
      '-m',
      '',
      '-v',
      '3',
      '-e',
      '0x8000000001020304',
      '-u',
      'nms-ro',
      '-l',
      'authPriv',
      '-a',
      'SHA',
      '-A',
      wrongKey,
      '-x',
      'AES',
      '-X',
      'wrong-priv-key-0123456789',
      `127.0.0.1:${port}`,
      '',
      '1.3.6.1.6.3.1.1.5.3',
    ]);
    // Bit-flipped copies of a real trap, seeded so a failure can be replayed.
    const good = await captureTrapBytes(['-v', '2c', '-c', community, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.6.3.18.1.3.0', 'a', cpe.address!]);
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const sock = dgram.createSocket('udp4');
    for (let i = 0; i < 500; i++) {
      const copy = Buffer.from(good);
      for (let k = 0; k < 3; k++) {
        const at = Math.floor(random() * copy.length);
        copy.writeUInt8(copy.readUInt8(at) ^ (1 << Math.floor(random() * 8)), at);
      }
      await new Promise((r) => sock.send(copy, port, '127.0.0.1', r));
    }
    sock.close();
    await waitFor('the storm counted', async () => receiver.stats.refused - before.refused >= 3, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const text = log.lines.join('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
    for (const line of log.lines) expect(line, 'a raw control character in a log line').not.to.match(/[\u0000-\u001f\u007f\u202e]/);
    for (const secret of [community, nearMiss, wrongKey, TEST_ENV.NMS_SNMP_CORE_AUTH_KEY, 'FORGED\u001b']) expect(text).not.to.include(secret);
    expect(text, 'a hex digest').not.to.match(/[0-9a-f]{24}/i);
    expect(text).to.match(/unknown community \(\d+ bytes\)/);
    expect(text, 'the v3 trap with a wrong key').to.match(/SNMPv3 (authentication failed|message could not be decrypted)/);
    expect(
      log.lines.every((l) => l.length < 2_200),
      'every line bounded',
    ).to.equal(true);
    // A real linkDown afterwards is still heard.
    const heardBefore = heard.length;
    await run('snmptrap', ['-m', '', '-v', '2c', '-c', community, `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.6.3.18.1.3.0', 'a', cpe.address!]);
    await waitFor('the real linkDown', async () => heard.slice(heardBefore).some((t) => t.kind === 'linkDown' && t.deviceId === cpe.id), 10_000);
  });

  it('takes a new model on the same port (nms reload): the device and community it adds are heard, a community it drops is refused', async () => {
    const minimal = await readFile('test/fixtures/topology/minimal.yaml', 'utf8');
    const sources = { env: { TEST_COMMUNITY: 'trap-old-community', NEW_COMMUNITY: 'trap-new-community' } };
    const next = minimal
      .replace('snmpProfiles:\n', 'snmpProfiles:\n  v2new:\n    version: 2c\n    community: { env: NEW_COMMUNITY }\n')
      .replace('circuits:\n', '  - { id: new-rtr, site: hyx, role: county, vendor: h3c, address: 10.43.10.9, snmp: v2new }\ncircuits:\n')
      .replaceAll('snmp: v2\n', 'snmp: v2new\n');
    const credentialsOf = (t: Topology) => new Map(t.devices.filter((d) => d.managed).map((d) => [d.id, credentialsFor(t, sources)(d)] as const));
    const before = parseTopology(minimal, 'before.yaml');
    const after = parseTopology(next, 'after.yaml');
    const own: TrapObservation[] = [];
    const ownPort = await udpFreePort();
    const r = await TrapReceiver.start({
      topology: before,
      credentials: credentialsOf(before),
      circuitAtIfIndex: () => null,
      onTrap: (t) => own.push(t),
      confirm: () => undefined,
      log: memoryLogger(),
      port: ownPort,
    });
    const trap = (community: string, agent: string) =>
      run('snmptrap', ['-m', '', '-v', '2c', '-c', community, `127.0.0.1:${ownPort}`, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.6.3.18.1.3.0', 'a', agent]);
    try {
      await trap('trap-new-community', '10.43.10.9');
      await waitFor('the unknown community refused', async () => r.stats.refused === 1, 10_000);
      r.setModel({ topology: after, credentials: credentialsOf(after) });
      await trap('trap-new-community', '10.43.10.9');
      await waitFor('the new device heard', async () => own.length === 1, 10_000);
      expect(own[0]).to.include({ kind: 'linkDown', deviceId: 'new-rtr' });
      // Every device now uses the new profile: the old community is no longer accepted.
      await trap('trap-old-community', '10.43.0.1');
      await waitFor('the dropped community refused', async () => r.stats.refused === 2, 10_000);
      expect(own).to.have.length(1);
    } finally {
      await r.close();
    }
  });

  /** The datagram Debian's snmptrap sends for these arguments, caught on a socket of our own. */
  async function captureTrapBytes(args: string[]): Promise<Buffer> {
    const catcher = dgram.createSocket('udp4');
    await new Promise<void>((r) => catcher.bind(0, '127.0.0.1', () => r()));
    const got = new Promise<Buffer>((r) => catcher.once('message', (m) => r(m)));
    await run('snmptrap', ['-m', '', ...args.slice(0, 4), `127.0.0.1:${catcher.address().port}`, ...args.slice(4)]);
    const bytes = await got;
    catcher.close();
    return bytes;
  }
});
