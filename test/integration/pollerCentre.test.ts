/**
 * A city poller and the province's centre over a real nats-server with
 * JetStream: the poller (role poller) polls only the devices of its county
 * on its simulated network and publishes; the centre (role centre) polls
 * nothing and decides on what it hears. A link taken down in the poller's
 * county reaches the centre's live state and raises the centre's alarm,
 * pushed once to a local webhook receiver, and clears once; the truth is
 * the poller's simulator.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { askCentre, fetchCentreModel } from '../../collectors/bus/centreModel.ts';
import { CENTRE_CONSUMER, CENTRE_STREAM, connectBus, pollerStream } from '../../shared/bus/busStreams.ts';
import { CENTRE_ALIVE_SUBJECT, decodeObservation, observationSubject } from '../../shared/bus/observationMessages.ts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { TrapObservation } from '../../shared/alarms/types.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { startCentre, type RunningCentre } from '../../server/centreRole.ts';
import { startPoller, type RunningPoller } from '../../server/pollerRole.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { TestNatsCluster, TestNatsServer } from '../support/natsServer.ts';
import { waitFor } from '../support/processes.ts';
import { writeCentreAndPoller } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestInflux, type TestInflux } from '../support/testInflux.ts';

const COUNTY = 'hyx';
const LINE = 'HYX-CZJ';
/** A department's router of the county. */
const REBOOTED = 'hyx-gaj-cpe';

describe('a city poller and the centre on NATS JetStream', function () {
  this.timeout(120_000);
  let nats: TestNatsServer;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let rx: HttpReceiver;
  let centre: RunningCentre;
  let poller: RunningPoller;
  const log = memoryLogger();
  const pushes = (from = 0) =>
    rx.requests.slice(from).map(
      (r) =>
        JSON.parse(r.body) as {
          reason: string;
          alarm: { kind: string; subject: { id: string }; startedAtMs: number; endedAtMs: number | null; evidence: { zh: string } };
        },
    );

  before(async () => {
    nats = await TestNatsServer.start();
    influx = await startTestInflux();
    dir = await tempDir('poller-centre');
    rx = await startHttpReceiver();
    const { centreDir, pollerDir } = await writeCentreAndPoller(dir.path, {
      poller: COUNTY,
      sites: [COUNTY],
      centreServers: [nats.url],
      pollerServers: [nats.url],
      hookUrl: `${rx.url}/hook`,
      influxUrl: influx.influx.url,
      pollerInfluxUrl: influx.influx.url,
    });
    centre = await startCentre(await loadConfig({ env: {}, cwd: centreDir }), {}, log.child('centre'));
    poller = await startPoller(await loadConfig({ env: {}, cwd: pollerDir }), {}, log.child('poller'));
    await waitFor('the county at the centre', async () => centre.live.circuits.get(LINE)?.status === 'up', 30_000);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(`log, last lines:\n${log.lines.slice(-40).join('\n')}`);
  });
  after(async () => {
    await poller?.stop();
    await centre?.stop();
    await rx?.close();
    await nats?.dispose();
    await influx?.dispose();
    await dir?.remove();
  });

  it('polls only its county, and the centre hears only that', () => {
    const county = poller.topology.circuits.filter((c) => poller.share.devices.has(c.a.deviceId)).map((c) => c.id);
    expect(county).to.include(LINE);
    expect(poller.collector.pollers.size).to.equal(poller.share.devices.size);
    // Its demo network answers for the county's routers only (the far ends of its lines are among them).
    expect([...poller.simulation!.simulator.agents.keys()].sort()).to.deep.equal([...poller.share.devices].sort());
    expect(
      [...centre.live.circuits.keys()].every((id) => county.includes(id)),
      'nothing outside the county',
    ).to.equal(true);
    expect(centre.live.circuits.has('HY-LYS')).to.equal(false);
  });

  it('raises the centre alarm for a line down in the county, pushed once, and clears it once', async () => {
    const sim = poller.simulation!.simulator;
    sim.inject({ fault: 'link-down', circuit: LINE });
    await waitFor('the push', async () => pushes().some((p) => p.reason === 'raised'), 20_000);
    expect(centre.live.circuits.get(LINE)!.status).to.equal('down');
    sim.inject({ fault: 'link-up', circuit: LINE });
    await waitFor('the clear', async () => pushes().some((p) => p.reason === 'cleared'), 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(pushes().map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal([
      `raised circuit_down ${LINE}`,
      `cleared circuit_down ${LINE}`,
    ]);
    // The outage as the poller's simulator had it, within the poll interval of a second (and the bus).
    const truth = await GroundTruth.read(join(dir.path, 'poller', 'sim', 'truth'));
    const down = truth.eventsOf('link-down').find((e) => 'circuit' in e && e.circuit === LINE)!;
    const up = truth.eventsOf('link-up').find((e) => 'circuit' in e && e.circuit === LINE)!;
    const alarm = pushes()[1]!.alarm;
    expect(Math.abs(alarm.startedAtMs - down.ms), 'start').to.be.below(2000);
    expect(Math.abs(alarm.endedAtMs! - up.ms), 'end').to.be.below(2000);
    expect(centre.consumer.stats.refused).to.equal(0);
  });

  it("hears the county's traps through its poller: a reboot's coldStart reaches the centre on the bus, at the simulator's boot time", async () => {
    const from = rx.requests.length;
    poller.simulation!.simulator.inject({ fault: 'reboot', device: REBOOTED, downtime: 2 });
    await waitFor('the reboot push', async () => pushes(from).some((p) => p.alarm.kind === 'device_rebooted'), 30_000);
    const pushed = pushes(from).find((p) => p.alarm.kind === 'device_rebooted')!.alarm;
    expect(pushed.subject.id).to.equal(REBOOTED);
    // Raised from the trap, not only from the uptime a later poll reads.
    expect(pushed.evidence.zh).to.include('收到 coldStart 陷阱');
    const nc = await connectBus([nats.url], 'test');
    try {
      // Every trap the centre's stream holds, as stored (Debian's nats-server predates filtered ordered consumers).
      const onBus = await jetstream(nc).consumers.get(CENTRE_STREAM);
      const traps: TrapObservation[] = [];
      for await (const m of await onBus.fetch({ max_messages: 100_000, expires: 2000 })) {
        const decoded = decodeObservation(m.data);
        if (decoded.ok && decoded.message.kind === 'trap' && m.subject === observationSubject(COUNTY, 'trap')) traps.push(decoded.message.trap);
      }
      const trap = traps.find((t) => t.kind === 'coldStart');
      const boot = (await GroundTruth.read(join(dir.path, 'poller', 'sim', 'truth'))).eventsOf('boot').find((e) => 'device' in e && e.device === REBOOTED)!;
      expect(trap?.deviceId).to.equal(REBOOTED);
      expect(Math.abs(trap!.atMs - boot.ms), 'trap against the boot').to.be.below(1000);
    } finally {
      await nc.close();
    }
    expect(poller.traps.stats.accepted).to.be.above(0);
    expect(centre.consumer.stats.refused).to.equal(0);
  });

  it("runs on the centre's model, refused to a poller the centre does not know, and kept for a start while the centre is away", async () => {
    // The share and the poll interval are the centre's: the poller's own file names neither.
    expect(poller.model.from).to.equal('centre');
    expect(poller.model.model.sites).to.deep.equal([COUNTY]);
    expect(poller.model.model.collector.intervalSeconds).to.equal(1);
    expect(poller.model.model.topology.yaml).to.equal(await readFile('topology.yaml', 'utf8'));
    const nc = await connectBus([nats.url], 'test');
    try {
      const stranger = await askCentre(nc, 'stranger');
      expect('refused' in stranger && stranger.refused).to.match(/the centre says: no poller "stranger" in the centre's centre\.pollers/);
      await centre.stop();
      const kept = await fetchCentreModel(nc, COUNTY, join(dir.path, 'poller'), log, 1000);
      expect([kept.from, kept.model.revision]).to.deep.equal(['cache', poller.model.model.revision]);
      // A beacon naming another revision of its model tells the poller to start again on it (nms up does).
      nc.publish(CENTRE_ALIVE_SUBJECT, JSON.stringify({ atMs: Date.now(), models: { [COUNTY]: '0123456789abcdef' } }));
      expect(await Promise.race([poller.modelChanged, new Promise((r) => setTimeout(() => r('not heard'), 5000))])).to.equal('0123456789abcdef');
      expect(String(await fetchCentreModel(nc, COUNTY, join(dir.path, 'nothing-kept'), log, 1000).catch((e: Error) => e))).to.match(
        /the centre did not answer on nms\.model\.hyx within 1 s .*and no model of it is kept in/,
      );
      // Started again while the centre is away, the poller polls on the centre's last model, from its disk.
      await poller.stop();
      poller = await startPoller(await loadConfig({ env: {}, cwd: join(dir.path, 'poller') }), {}, log.child('poller'), 1000);
      expect([poller.model.from, poller.model.model.revision, poller.share.devices.size]).to.deep.equal(['cache', kept.model.revision, 3]);
      expect([...(await poller.collector.pollEachOnce(20_000)).values()]).to.deep.equal([null, null, null]);
    } finally {
      await nc.close();
    }
  });
});

describe('a city poller on its own leaf node and the centre on a 3-node JetStream cluster', function () {
  this.timeout(120_000);
  let cluster: TestNatsCluster;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let rx: HttpReceiver;
  let centre: RunningCentre;
  let poller: RunningPoller;
  const log = memoryLogger();
  const pushes = () => rx.requests.map((r) => JSON.parse(r.body) as { reason: string; alarm: { kind: string; subject: { id: string } } });

  before(async () => {
    cluster = await TestNatsCluster.start();
    const leaf = await cluster.leaf(COUNTY);
    influx = await startTestInflux();
    dir = await tempDir('poller-leaf');
    rx = await startHttpReceiver();
    const { centreDir, pollerDir } = await writeCentreAndPoller(dir.path, {
      poller: COUNTY,
      sites: [COUNTY],
      centreServers: cluster.urls,
      pollerServers: [leaf],
      domain: COUNTY,
      replicas: 3,
      hookUrl: `${rx.url}/hook`,
      influxUrl: influx.influx.url,
      pollerInfluxUrl: influx.influx.url,
    });
    centre = await startCentre(await loadConfig({ env: {}, cwd: centreDir }), {}, log.child('centre'));
    poller = await startPoller(await loadConfig({ env: {}, cwd: pollerDir }), {}, log.child('poller'));
    await waitFor('the county at the centre, through the leaf node', async () => centre.live.circuits.get(LINE)?.status === 'up', 40_000);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(`log, last lines:\n${log.lines.slice(-40).join('\n')}`);
  });
  after(async () => {
    await poller?.stop();
    await centre?.stop();
    await rx?.close();
    await cluster?.dispose();
    await influx?.dispose();
    await dir?.remove();
  });

  it('keeps deciding with one cluster node killed with -9: one alarm raised and cleared, nothing refused', async () => {
    await cluster.kill(0);
    const sim = poller.simulation!.simulator;
    sim.inject({ fault: 'link-down', circuit: LINE });
    await waitFor('the push', async () => pushes().some((p) => p.reason === 'raised'), 30_000);
    sim.inject({ fault: 'link-up', circuit: LINE });
    await waitFor('the clear', async () => pushes().some((p) => p.reason === 'cleared'), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(pushes().map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal([
      `raised circuit_down ${LINE}`,
      `cleared circuit_down ${LINE}`,
    ]);
    expect(centre.consumer.stats.refused).to.equal(0);
    expect(poller.publisher.stats.dropped).to.equal(0);
    // Nothing lost: once the poller has stopped (its last changes flushed), everything its leaf
    // stored is in the centre's stream, and the centre has taken it all.
    await poller.stop();
    const nc = await connectBus(cluster.urls.slice(1), 'test');
    try {
      const counts = async () => {
        const local = await (await jetstreamManager(nc, { domain: COUNTY })).streams.info(pollerStream(COUNTY));
        const central = await (await jetstreamManager(nc)).streams.info(CENTRE_STREAM);
        const consumer = await (await jetstreamManager(nc)).consumers.info(CENTRE_STREAM, CENTRE_CONSUMER);
        return { local: local.state.messages, central: central.state.messages, pending: consumer.num_pending + consumer.num_ack_pending };
      };
      let last = { local: 0, central: 0, pending: -1 };
      let asked = 'not asked';
      // JetStream's API may time out while the cluster re-elects after the kill, on a loaded machine.
      await waitFor(
        'the centre caught up',
        async () => {
          try {
            last = await counts();
            asked = 'answered';
          } catch (err) {
            asked = (err as Error).message;
            return false;
          }
          return last.local === last.central && last.pending === 0;
        },
        60_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}: the leaf holds ${last.local}, the centre ${last.central}, ${last.pending} not yet taken; JetStream last ${asked}`);
      });
      expect(last.local).to.be.above(0);
    } finally {
      await nc.close();
    }
  });
});

describe('a city poller with localAlarms: it pushes its own alarms while the centre is away, and the centre does not push them again', function () {
  this.timeout(150_000);
  let nats: TestNatsServer;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let noc: HttpReceiver;
  let city: HttpReceiver;
  let centre: RunningCentre | null = null;
  let poller: RunningPoller;
  let centreDir: string;
  const log = memoryLogger();
  type Push = { reason: string; alarm: { id: string; kind: string; subject: { id: string }; startedAtMs: number; endedAtMs: number | null } };
  const pushesTo = (rx: HttpReceiver) =>
    rx.requests.map((r) => JSON.parse(r.body) as Push).map((p) => ({ ...p, text: `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}` }));
  const OTHER = 'HYX-GAJ';

  before(async () => {
    nats = await TestNatsServer.start();
    influx = await startTestInflux();
    dir = await tempDir('poller-local');
    noc = await startHttpReceiver();
    city = await startHttpReceiver();
    const dirs = await writeCentreAndPoller(dir.path, {
      poller: COUNTY,
      sites: [COUNTY],
      centreServers: [nats.url],
      pollerServers: [nats.url],
      hookUrl: `${noc.url}/hook`,
      pollerHookUrl: `${city.url}/hook`,
      influxUrl: influx.influx.url,
      pollerInfluxUrl: influx.influx.url,
      heartbeat: '1s',
    });
    centreDir = dirs.centreDir;
    centre = await startCentre(await loadConfig({ env: {}, cwd: centreDir }), {}, log.child('centre'));
    poller = await startPoller(await loadConfig({ env: {}, cwd: dirs.pollerDir }), {}, log.child('poller'));
    await waitFor(
      'the county at the centre',
      async () => centre!.live.circuits.get(LINE)?.status === 'up' && centre!.live.circuits.get(OTHER)?.status === 'up',
      30_000,
    );
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed')
      console.error(
        `log, last lines:\n${log.lines.slice(-40).join('\n')}\nnoc: ${pushesTo(noc)
          .map((p) => p.text)
          .join(', ')}\ncity: ${pushesTo(city)
          .map((p) => p.text)
          .join(', ')}`,
      );
  });
  after(async () => {
    await poller?.stop();
    await centre?.stop();
    await noc?.close();
    await city?.close();
    await nats?.dispose();
    await influx?.dispose();
    await dir?.remove();
  });

  it('leaves the pushes to the centre while the centre is there', async () => {
    const sim = poller.simulation!.simulator;
    sim.inject({ fault: 'link-down', circuit: OTHER, for: 8 });
    await waitFor("the centre's clear", async () => pushesTo(noc).some((p) => p.reason === 'cleared'), 40_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(pushesTo(noc).map((p) => p.text)).to.deep.equal([`raised circuit_down ${OTHER}`, `cleared circuit_down ${OTHER}`]);
    expect(pushesTo(city).map((p) => p.text)).to.deep.equal([]);
  });

  it('pushes a line down itself when the centre has stopped', async () => {
    await centre!.stop();
    centre = null;
    poller.simulation!.simulator.inject({ fault: 'link-down', circuit: LINE });
    // Alone once the centre has been unheard for 15 s.
    await waitFor("the city's own push", async () => pushesTo(city).some((p) => p.reason === 'raised'), 40_000);
    expect(pushesTo(city).map((p) => p.text)).to.deep.equal([`raised circuit_down ${LINE}`]);
  });

  it('has the centre, back and caught up while the line is still down, push none of it; the city pushes the clear, with the true times', async () => {
    centre = await startCentre(await loadConfig({ env: {}, cwd: centreDir }), {}, log.child('centre'));
    await waitFor('the outage at the centre', async () => centre!.alarms.engine.active().some((a) => a.subject.id === LINE), 30_000);
    // Longer than the centre holds a push for word of the poller's: a push it owed would have gone.
    await new Promise((r) => setTimeout(r, 8000));
    expect(
      pushesTo(noc).filter((p) => p.alarm.subject.id === LINE),
      'centre pushes while down',
    ).to.deep.equal([]);
    poller.simulation!.simulator.inject({ fault: 'link-up', circuit: LINE });
    await waitFor("the city's own clear", async () => pushesTo(city).some((p) => p.reason === 'cleared'), 20_000);
    await waitFor('the outage cleared at the centre', async () => centre!.alarms.engine.history().some((a) => a.subject.id === LINE), 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(pushesTo(city).map((p) => p.text)).to.deep.equal([`raised circuit_down ${LINE}`, `cleared circuit_down ${LINE}`]);
    expect(
      pushesTo(noc).filter((p) => p.alarm.subject.id === LINE),
      'centre pushes',
    ).to.deep.equal([]);

    const truth = await GroundTruth.read(join(dir.path, 'poller', 'sim', 'truth'));
    const down = truth
      .eventsOf('link-down')
      .filter((e) => 'circuit' in e && e.circuit === LINE)
      .at(-1)!;
    const up = truth
      .eventsOf('link-up')
      .filter((e) => 'circuit' in e && e.circuit === LINE)
      .at(-1)!;
    const cityAlarm = pushesTo(city)[1]!.alarm;
    expect(Math.abs(cityAlarm.startedAtMs - down.ms), 'start').to.be.below(2000);
    expect(Math.abs(cityAlarm.endedAtMs! - up.ms), 'end').to.be.below(2000);
    const atCentre = centre!.alarms.engine.history().filter((a) => a.subject.id === LINE);
    expect(atCentre.map((a) => [a.kind, a.endedAtMs])).to.deep.equal([['circuit_down', cityAlarm.endedAtMs]]);
    // A centre started afresh first sees the line down: its outage starts with that poll, the city's with ifLastChange.
    expect(Math.abs(atCentre[0]!.startedAtMs - cityAlarm.startedAtMs), 'start at the centre').to.be.below(2000);
    expect(centre!.consumer.stats.refused).to.equal(0);
  });
});
