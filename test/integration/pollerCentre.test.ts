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
import { join } from 'node:path';
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

describe('a city poller and the centre on NATS JetStream', function () {
  this.timeout(120_000);
  let nats: TestNatsServer;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let rx: HttpReceiver;
  let centre: RunningCentre;
  let poller: RunningPoller;
  const log = memoryLogger();
  const pushes = () => rx.requests.map((r) => JSON.parse(r.body) as { reason: string; alarm: { kind: string; subject: { id: string }; startedAtMs: number; endedAtMs: number | null } });

  before(async () => {
    nats = await TestNatsServer.start();
    influx = await startTestInflux();
    dir = await tempDir('poller-centre');
    rx = await startHttpReceiver();
    const { centreDir, pollerDir } = await writeCentreAndPoller(dir.path, { poller: COUNTY, sites: [COUNTY], centreServers: [nats.url], pollerServers: [nats.url], hookUrl: `${rx.url}/hook`, influxUrl: influx.influx.url, pollerInfluxUrl: influx.influx.url });
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
    expect([...centre.live.circuits.keys()].every((id) => county.includes(id)), 'nothing outside the county').to.equal(true);
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
    expect(pushes().map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal([`raised circuit_down ${LINE}`, `cleared circuit_down ${LINE}`]);
    // The outage as the poller's simulator had it, within the poll interval of a second (and the bus).
    const truth = await GroundTruth.read(join(dir.path, 'poller', 'sim', 'truth'));
    const down = truth.eventsOf('link-down').find((e) => 'circuit' in e && e.circuit === LINE)!;
    const up = truth.eventsOf('link-up').find((e) => 'circuit' in e && e.circuit === LINE)!;
    const alarm = pushes()[1]!.alarm;
    expect(Math.abs(alarm.startedAtMs - down.ms), 'start').to.be.below(2000);
    expect(Math.abs(alarm.endedAtMs! - up.ms), 'end').to.be.below(2000);
    expect(centre.consumer.stats.refused).to.equal(0);
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
    const { centreDir, pollerDir } = await writeCentreAndPoller(dir.path, { poller: COUNTY, sites: [COUNTY], centreServers: cluster.urls, pollerServers: [leaf], domain: COUNTY, replicas: 3, hookUrl: `${rx.url}/hook`, influxUrl: influx.influx.url, pollerInfluxUrl: influx.influx.url });
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
    expect(pushes().map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal([`raised circuit_down ${LINE}`, `cleared circuit_down ${LINE}`]);
    expect(centre.consumer.stats.refused).to.equal(0);
    expect(poller.publisher.stats.dropped).to.equal(0);
  });
});
