/**
 * The simulated network against Debian's Net-SNMP tools and its own ground
 * truth: walks, counters over accelerated time, 32-bit wraps, SNMPv3, faults
 * and traps (received by Debian's snmptrapd), and odd requests.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { IF_COLUMNS, IF_TABLE, IFX_COLUMNS, IFX_TABLE } from '../../shared/snmp/oids.ts';
import { engineIdFor } from '../../sim/agents/deviceAgent.ts';
import { ControlServer } from '../../sim/control/controlServer.ts';
import { Simulator } from '../../sim/simulator.ts';
import { offeredOctetsPerSecond, SLOT_SECONDS, trafficProfile } from '../../sim/traffic/trafficModel.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { waitFor } from '../support/processes.ts';
import { busyCiscoCircuit } from '../support/circuits.ts';
import { CORE, COUNTY, CPE, LEGACY, LEGACY_COMMUNITY, TEST_ENV, TEST_SECRETS } from '../support/simSecrets.ts';
import { num, snmpbulkwalk, snmpget, snmpset, snmpwalk, startSnmptrapd, type SnmpAuth, type TrapReceiver } from '../support/snmpTools.ts';
import { udpFreePort } from '../support/ports.ts';
import { tempDir } from '../support/tempDir.ts';
import { absoluteTime } from '../support/truthTime.ts';

const SPEED = 60;
/** A Monday, 10:00 in Hengyang: the network is busy. */
const START = Date.parse('2026-11-23T10:00:00+08:00');
const U32 = 2 ** 32;

const ENV = TEST_ENV;

describe('network simulator (Debian Net-SNMP tools, ground truth)', function () {
  this.timeout(60_000);
  let topology: Topology;
  let sim: Simulator;
  let control: ControlServer;
  let traps: TrapReceiver;
  let dir: { path: string; remove(): Promise<void> };
  let truthDir: string;
  /** A Cisco department router answering SNMPv2c. */
  let ciscoDevice: string;
  const port = (device: string) => sim.agents.get(device)!.port;
  /** ifIndex of a circuit end's interface, as the simulator numbers it now. */
  const ifIndexOf = (circuit: string, end: 'a' | 'z') => sim.network.circuits.find((c) => c.circuit.id === circuit)![end]!.ifIndex;
  const truth = async (coverMs: number) => {
    let t = await GroundTruth.read(truthDir);
    await waitFor(
      'the ground truth to cover the reading',
      async () => {
        t = await GroundTruth.read(truthDir);
        return t.recordedUntil >= coverMs;
      },
      10_000,
    );
    return t;
  };
  before(async () => {
    topology = await loadTopology('topology.yaml');
    dir = await tempDir('sim');
    truthDir = join(dir.path, 'truth');
    const trapPort = await udpFreePort();
    traps = await startSnmptrapd(dir.path, trapPort, [
      ...['hy-core-1', 'hy-core-2', 'hy-exit-1'].map((d) => ({
        engineId: engineIdFor(d),
        user: 'nms-ro',
        authKey: ENV.NMS_SNMP_CORE_AUTH_KEY,
        privKey: ENV.NMS_SNMP_CORE_PRIV_KEY,
      })),
      ...topology.devices
        .filter((d) => d.role === 'county')
        .map((d) => ({ engineId: engineIdFor(d.id), user: 'nms-county', authKey: ENV.NMS_SNMP_COUNTY_AUTH_KEY, privKey: ENV.NMS_SNMP_COUNTY_PRIV_KEY })),
    ]);
    ciscoDevice = topology.devices.find((d) => d.vendor === 'cisco' && d.snmpProfile === 'cpe-v2c')!.id;
    sim = await Simulator.start({
      topology,
      secrets: TEST_SECRETS,
      log: memoryLogger(),
      truthDir,
      speed: SPEED,
      startMs: START,
      basePort: 0,
      trapTargets: [{ host: '127.0.0.1', port: trapPort }],
      scenario: {
        file: 'inline',
        startMs: null,
        speed: null,
        seed: null,
        counters: [],
        timeline: [],
      },
    });
    control = await ControlServer.start(sim, 0);
  });

  after(async () => {
    await control?.close();
    await sim?.stop();
    await traps?.stop();
    await dir?.remove();
  });

  it('publishes one loopback endpoint per managed device, without credentials', async () => {
    const res = await fetch(`${control.url}/endpoints`);
    const text = await res.text();
    const body = JSON.parse(text) as { devices: Record<string, { host: string; port: number; snmpVersion: string }> };
    const managed = topology.devices.filter((d) => d.managed).map((d) => d.id);
    expect(Object.keys(body.devices)).to.have.members(managed);
    for (const e of Object.values(body.devices)) expect(e.host).to.equal('127.0.0.1');
    expect(new Set(Object.values(body.devices).map((e) => e.port)).size).to.equal(managed.length);
    for (const secret of [...Object.values(ENV), LEGACY_COMMUNITY]) expect(text).not.to.include(secret);
  });

  it('answers snmpbulkwalk of IF-MIB with every circuit interface and a few unused ones', async () => {
    const device = 'hy-hbj-cpe';
    const names = await snmpbulkwalk(port(device), CPE, `${IFX_TABLE}.${IFX_COLUMNS.ifName}`);
    expect(names.code, names.stderr).to.equal(0);
    const ifNames = [...names.values.values()].map((v) => JSON.parse(v) as string);
    expect(ifNames).to.deep.equal(['Serial1/0/0', 'MEth0/0/1', 'GigabitEthernet0/0/9', 'LoopBack0', 'NULL0']);
    const table = await snmpbulkwalk(port(device), CPE, IF_TABLE);
    const columnOf = (table: string, oid: string) => Number(oid.slice(table.length + 1).split('.')[0]);
    const columns = new Set([...table.values.keys()].map((oid) => columnOf(IF_TABLE, oid)));
    for (const c of [
      IF_COLUMNS.ifDescr,
      IF_COLUMNS.ifAdminStatus,
      IF_COLUMNS.ifOperStatus,
      IF_COLUMNS.ifLastChange,
      IF_COLUMNS.ifInOctets,
      IF_COLUMNS.ifOutOctets,
      IF_COLUMNS.ifInUcastPkts,
      IF_COLUMNS.ifInErrors,
      IF_COLUMNS.ifInDiscards,
    ]) {
      expect(columns, `ifTable column ${c}`).to.include(c);
    }
    const x = await snmpbulkwalk(port(device), CPE, IFX_TABLE);
    const xColumns = new Set([...x.values.keys()].map((oid) => columnOf(IFX_TABLE, oid)));
    for (const c of Object.values(IFX_COLUMNS)) expect(xColumns, `ifXTable column ${c}`).to.include(c);
    // The spare port is shut, the circuit port up.
    const status = await snmpget(port(device), CPE, [`${IF_TABLE}.${IF_COLUMNS.ifAdminStatus}.3`, `${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.1`]);
    expect([...status.values.values()]).to.deep.equal(['2', '1']);
  });

  it('names its vendor the way a real Huawei, H3C or Cisco does, with CPU and memory at the vendor OIDs', async () => {
    const huawei = await snmpget(port('hy-core-1'), CORE, [
      '1.3.6.1.2.1.1.1.0',
      '1.3.6.1.2.1.1.2.0',
      '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.67108867',
      '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.67108867',
    ]);
    const [descr, objectId, cpu, mem] = [...huawei.values.values()];
    expect(descr).to.match(/^"Huawei Versatile Routing Platform/);
    expect(objectId).to.match(/^\.1\.3\.6\.1\.4\.1\.2011\./);
    expect(num(cpu)).to.be.within(0, 100);
    expect(num(mem)).to.be.within(0, 100);
    const h3c = await snmpget(port('hy-core-2'), CORE, ['1.3.6.1.2.1.1.2.0', '1.3.6.1.4.1.25506.2.6.1.1.1.1.6.8']);
    expect([...h3c.values.values()][0]).to.match(/^\.1\.3\.6\.1\.4\.1\.25506\./);
    const ciscoHealth = await snmpbulkwalk(port(ciscoDevice), CPE, '1.3.6.1.4.1.9.9');
    expect([...ciscoHealth.values.keys()]).to.deep.equal(['1.3.6.1.4.1.9.9.48.1.1.1.5.1', '1.3.6.1.4.1.9.9.48.1.1.1.6.1', '1.3.6.1.4.1.9.9.109.1.1.1.1.8.1']);
  });

  it('grows counters at the rates the ground truth records, over a simulated minute and a half', async () => {
    const a = ifIndexOf('HY-HYX', 'a');
    const oids = ['1.3.6.1.2.1.1.3.0', `${IFX_TABLE}.${IFX_COLUMNS.ifHCInOctets}.${a}`, `${IFX_TABLE}.${IFX_COLUMNS.ifHCOutOctets}.${a}`];
    const r1 = await snmpget(port('hy-core-1'), CORE, oids);
    await new Promise((r) => setTimeout(r, 1500));
    const r2 = await snmpget(port('hy-core-1'), CORE, oids);
    const [u1, in1, out1] = [...r1.values.values()].map(Number);
    const [u2, in2, out2] = [...r2.values.values()].map(Number);
    expect((u2! - u1!) / 100, 'simulated seconds between readings').to.be.within(75, 130);
    const t = await truth(0);
    const t1 = absoluteTime(t, 'hy-core-1', u1!);
    const t2 = absoluteTime(t, 'hy-core-1', u2!);
    const tt = await truth(t2 + 10);
    for (const [got, column] of [
      [in2! - in1!, 'a_in'],
      [out2! - out1!, 'a_out'],
    ] as const) {
      const want = tt.total('HY-HYX', column, t1, t2);
      const slack = tt.rateAt('HY-HYX', column, t1) * 0.03 + tt.rateAt('HY-HYX', column, t2) * 0.03 + 2;
      expect(want, column).to.be.above(1e6);
      expect(Math.abs(got - want), `${column}: counted ${got}, truth ${want}`).to.be.below(slack);
    }
  });

  it('speaks SNMPv3 authPriv with the real snmpget, and refuses wrong credentials', async () => {
    const ok = await snmpget(port('hy-core-1'), CORE, ['1.3.6.1.2.1.1.5.0']);
    expect(ok.values.get('1.3.6.1.2.1.1.5.0')).to.equal('"hy-core-1"');
    const wrongAuth = await snmpget(port('hy-core-1'), { ...CORE, authKey: 'not-the-auth-key' } as SnmpAuth, ['1.3.6.1.2.1.1.5.0'], 1);
    expect(wrongAuth.code).not.to.equal(0);
    expect(wrongAuth.values.size).to.equal(0);
    const wrongPriv = await snmpget(port('hy-core-1'), { ...CORE, privKey: 'not-the-priv-key' } as SnmpAuth, ['1.3.6.1.2.1.1.5.0'], 1);
    expect(wrongPriv.values.size).to.equal(0);
    const wrongUser = await snmpget(port('hy-core-1'), { ...CORE, user: 'intruder' } as SnmpAuth, ['1.3.6.1.2.1.1.5.0'], 1);
    expect(wrongUser.stderr).to.match(/Unknown user name/);
    const county = await snmpget(port('hyx-rtr-1'), COUNTY, ['1.3.6.1.2.1.1.5.0']);
    expect(county.values.get('1.3.6.1.2.1.1.5.0')).to.equal('"hyx-rtr-1"');
  });

  it('answers only the SNMP version and community its profile says', async () => {
    const v2cToV3Device = await snmpget(port('hy-core-1'), { version: '2c', community: 'public' }, ['1.3.6.1.2.1.1.5.0'], 1);
    expect(v2cToV3Device.stderr).to.match(/Timeout/);
    const wrongCommunity = await snmpget(port('hy-hbj-cpe'), { version: '2c', community: 'public' }, ['1.3.6.1.2.1.1.5.0'], 1);
    expect(wrongCommunity.stderr).to.match(/Timeout/);
    const legacy = await snmpwalk(port('hy-sjj-cpe'), LEGACY, IFX_TABLE);
    expect(legacy.code, legacy.stderr).to.equal(0);
    expect(legacy.stdout).not.to.match(/Counter64/);
    expect([...legacy.values.keys()].some((k) => k.startsWith(`${IFX_TABLE}.${IFX_COLUMNS.ifHCInOctets}.`))).to.equal(false);
  });

  it('takes a county uplink down, cutting off the county router, sends the core’s linkDown trap, and records it to the millisecond', async () => {
    const res = await fetch(`${control.url}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'link-down', circuit: 'HY-HDX', for: '10m' }),
    });
    expect(res.status).to.equal(201);
    const { at } = (await res.json()) as { at: string };
    const a = ifIndexOf('HY-HDX', 'a');
    const z = ifIndexOf('HY-HDX', 'z');
    const aStatus = await snmpget(port('hy-core-2'), CORE, [
      '1.3.6.1.2.1.1.3.0',
      `${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.${a}`,
      `${IF_TABLE}.${IF_COLUMNS.ifLastChange}.${a}`,
    ]);
    expect(aStatus.values.get(`${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.${a}`)).to.equal('2');
    // The uplink was the county router's only path from the network control centre.
    const zStatus = await snmpget(port('hdx-rtr-1'), COUNTY, [`${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.${z}`], 1);
    expect(zStatus.stderr).to.match(/Timeout/);

    const t = await truth(0);
    const downs = t.eventsOf('link-down').filter((e) => 'circuit' in e && e.circuit === 'HY-HDX');
    expect(downs).to.have.length(1);
    expect(downs[0]!.at).to.equal(at);
    // ifLastChange on the device says the same instant, to its 10 ms resolution.
    const lastChangeA = absoluteTime(t, 'hy-core-2', num(aStatus.values.get(`${IF_TABLE}.${IF_COLUMNS.ifLastChange}.${a}`)));
    expect(Math.abs(lastChangeA - Date.parse(at))).to.be.below(10);

    await waitFor('the core’s linkDown trap', async () => (await traps.traps()).some((m) => m.get('1.3.6.1.6.3.1.1.4.1.0') === '.1.3.6.1.6.3.1.1.5.3'), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const linkDowns = (await traps.traps()).filter((m) => m.get('1.3.6.1.6.3.1.1.4.1.0') === '.1.3.6.1.6.3.1.1.5.3');
    // The county router's own trap would travel over the link that just went down.
    expect(linkDowns.map((m) => m.get('1.3.6.1.6.3.18.1.3.0'))).to.deep.equal([topology.device('hy-core-2').address]);
    const fromCore = linkDowns.find((m) => m.get('1.3.6.1.6.3.18.1.3.0') === topology.device('hy-core-2').address)!;
    expect(fromCore.get(`${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.${a}`)).to.equal('2');
    expect(fromCore.get(`${IFX_TABLE}.${IFX_COLUMNS.ifName}.${a}`)).to.equal(`"${sim.network.circuits.find((c) => c.circuit.id === 'HY-HDX')!.a!.def.ifName}"`);
  });

  it('goes silent when a device is unreachable, and answers again when it is back', async () => {
    const inject = (body: object) => fetch(`${control.url}/faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await inject({ fault: 'unreachable', device: 'hy-gaj-cpe' })).status).to.equal(201);
    const silent = await snmpget(port('hy-gaj-cpe'), CPE, ['1.3.6.1.2.1.1.5.0'], 1);
    expect(silent.stderr).to.match(/Timeout/);
    expect((await inject({ fault: 'reachable', device: 'hy-gaj-cpe' })).status).to.equal(201);
    const back = await snmpget(port('hy-gaj-cpe'), CPE, ['1.3.6.1.2.1.1.5.0']);
    expect(back.values.get('1.3.6.1.2.1.1.5.0')).to.equal('"hy-gaj-cpe"');
  });

  it('reboots a device: silent, then sysUpTime and counters from zero and ifIndex renumbered', async () => {
    const device = 'hy-sfj-cpe';
    const namesBefore = await snmpbulkwalk(port(device), CPE, `${IFX_TABLE}.${IFX_COLUMNS.ifName}`);
    const res = await fetch(`${control.url}/faults`, { method: 'POST', body: JSON.stringify({ fault: 'reboot', device, downtime: '60s', renumber: true }) });
    expect(res.status).to.equal(201);
    const { at } = (await res.json()) as { at: string };
    expect((await snmpget(port(device), CPE, ['1.3.6.1.2.1.1.3.0'], 1)).stderr).to.match(/Timeout/);
    await waitFor('the device to boot', () => !sim.network.devices.get(device)!.rebooting, 10_000);
    const up = await snmpget(port(device), CPE, ['1.3.6.1.2.1.1.3.0']);
    // Uptime restarted: minutes, where before the reboot it was weeks.
    expect(num(up.values.get('1.3.6.1.2.1.1.3.0')) / 100).to.be.below(300);
    const namesAfter = await snmpbulkwalk(port(device), CPE, `${IFX_TABLE}.${IFX_COLUMNS.ifName}`);
    const byName = (r: Awaited<ReturnType<typeof snmpbulkwalk>>) => new Map([...r.values].map(([oid, name]) => [name, oid.split('.').pop()]));
    const before = byName(namesBefore);
    const after = byName(namesAfter);
    expect([...after.keys()]).to.have.members([...before.keys()]);
    expect(after.get('"Serial1/0/0"')).not.to.equal(before.get('"Serial1/0/0"'));
    const counters = await snmpget(port(device), CPE, [
      `${IFX_TABLE}.${IFX_COLUMNS.ifHCInOctets}.${after.get('"Serial1/0/0"')}`,
      `${IFX_TABLE}.${IFX_COLUMNS.ifCounterDiscontinuityTime}.${after.get('"Serial1/0/0"')}`,
    ]);
    const [octets, discontinuity] = [...counters.values.values()].map(Number);
    expect(octets).to.be.below(60 * 250_000);
    expect(discontinuity).to.equal(0);
    const t = await truth(0);
    const mine = (kind: 'reboot-start' | 'boot') => t.eventsOf(kind).filter((e) => 'device' in e && e.device === device);
    expect(mine('reboot-start').map((e) => e.at)).to.deep.equal([at]);
    expect(mine('boot').map((e) => e.ms)).to.deep.equal([Date.parse(at) + 60_000]);
  });

  it('gives odd requests correct answers or errors, and keeps answering', async () => {
    const p = port('hy-hbj-cpe');
    const unknown = await snmpget(p, CPE, ['1.3.6.1.4.1.99999.1.0', '1.3.6.1.2.1.1.5.0']);
    expect(unknown.stdout).to.match(/No Such Object/);
    expect(unknown.values.get('1.3.6.1.2.1.1.5.0')).to.equal('"hy-hbj-cpe"');
    const set = await snmpset(p, CPE, '1.3.6.1.2.1.1.5.0', 's', 'owned');
    expect(set.stderr).to.match(/notWritable/);
    const end = await snmpbulkwalk(p, CPE, '1.3.6.1.6');
    expect(end.code).to.equal(0);
    // Garbage datagrams, a truncated message and an empty one.
    const sock = dgram.createSocket('udp4');
    for (const junk of [
      Buffer.from('not snmp at all'),
      Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02]),
      Buffer.alloc(0),
      Buffer.from([0x30, 0x03, 0x02, 0x01, 0x09]),
    ]) {
      await new Promise<void>((r) => sock.send(junk, p, '127.0.0.1', () => r()));
    }
    sock.close();
    const still = await snmpget(p, CPE, ['1.3.6.1.2.1.1.5.0']);
    expect(still.values.get('1.3.6.1.2.1.1.5.0')).to.equal('"hy-hbj-cpe"');
  });

  it('refuses a fault for an unknown circuit or device, or of an unknown kind, with a clear error', async () => {
    const post = async (body: string) => {
      const r = await fetch(`${control.url}/faults`, { method: 'POST', body });
      return { status: r.status, body: (await r.json()) as { error: string } };
    };
    expect(await post(JSON.stringify({ fault: 'link-down', circuit: 'HY-NOWHERE' }))).to.deep.equal({
      status: 400,
      body: { error: 'unknown circuit "HY-NOWHERE"' },
    });
    expect(await post(JSON.stringify({ fault: 'reboot', device: 'hn-egov-pe' }))).to.deep.equal({
      status: 400,
      body: { error: 'unknown or unmanaged device "hn-egov-pe"' },
    });
    expect((await post(JSON.stringify({ fault: 'explode', device: 'hy-core-1' }))).body.error).to.match(/^unknown fault kind "explode"; one of link-down, /);
    expect((await post(JSON.stringify({ fault: 'loss', circuit: 'HY-HYX', percent: 150, for: '1h' }))).status).to.equal(400);
    expect(await post('{not json')).to.deep.equal({ status: 400, body: { error: 'body is not JSON' } });
  });
});

describe('32-bit counters on the simulated network', function () {
  this.timeout(60_000);
  const SLOW = 10;

  it('wraps as a real device does, with no 64-bit counter on a Cisco 2M line', async () => {
    const topology = await loadTopology('topology.yaml');
    const circuit = busyCiscoCircuit(topology);
    const device = circuit.z.deviceId;
    // Preset the counter about 20 simulated seconds of this line's traffic short of 2^32.
    const rate = offeredOctetsPerSecond(trafficProfile(734, circuit), 'a2z', Math.floor(START / 1000 / SLOT_SECONDS), 8 * 3600);
    expect(rate).to.be.above(10_000);
    const dir = await tempDir('wrap');
    const truthDir = join(dir.path, 'truth');
    const sim = await Simulator.start({
      topology,
      secrets: TEST_SECRETS,
      log: memoryLogger(),
      truthDir,
      speed: SLOW,
      startMs: START,
      basePort: 0,
      scenario: { file: 'inline', startMs: null, speed: null, seed: null, counters: [{ circuit: circuit.id, end: 'z', value: U32 - rate * 20 }], timeline: [] },
    });
    try {
      const p = sim.agents.get(device)!.port;
      const z = sim.network.circuits.find((c) => c.circuit.id === circuit.id)!.z!.ifIndex;
      const hc = await snmpget(p, CPE, [`${IFX_TABLE}.${IFX_COLUMNS.ifHCInOctets}.${z}`]);
      expect(hc.stdout).to.match(/No Such Instance/);
      const oids = ['1.3.6.1.2.1.1.3.0', `${IF_TABLE}.${IF_COLUMNS.ifInOctets}.${z}`];
      const readings: number[][] = [];
      for (let i = 0; i < 24 && !readings.some((r, k) => k > 0 && r[1]! < readings[k - 1]![1]!); i++) {
        readings.push([...(await snmpget(p, CPE, oids)).values.values()].map(Number));
        await new Promise((r) => setTimeout(r, 250));
      }
      const wrapAt = readings.findIndex((r, i) => i > 0 && r[1]! < readings[i - 1]![1]!);
      expect(wrapAt, `a wrap among ${readings.map((r) => r[1]).join(', ')}`).to.be.above(0);
      await sim.stop();
      const t = await GroundTruth.read(truthDir);
      const boot = t.meta.devices.find((d) => d.id === device)!.bootMs;
      const [uBefore, before] = readings[wrapAt - 1]!;
      const [uAfter, after] = readings[wrapAt]!;
      const want = t.total(circuit.id, 'z_in', boot + uBefore! * 10, boot + uAfter! * 10);
      const unwrapped = after! + U32 - before!;
      expect(Math.abs(unwrapped - want), `unwrapped ${unwrapped}, truth ${want}`).to.be.below(rate * 0.05 + 2);
    } finally {
      await sim.stop();
      await dir.remove();
    }
  });
});
