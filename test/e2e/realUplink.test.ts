/**
 * A city's uplink to the province cut for real: the city poller (`nms up`
 * with role poller, its own simulated county, its own InfluxDB and its own
 * JetStream leaf node) runs inside a network namespace whose only way to the
 * centre's 3-node cluster is a veth pair (198.18.0.0/15), and the test takes
 * that link down for three minutes. A line in the county goes down and comes
 * back during the cut. Meanwhile the centre raises one poller_silent alarm
 * for the county's poller, and nothing about the county itself. When the
 * link is back, the centre (in this process) must have every observation
 * the poller stored and the outage with its true start and end. The poller
 * (localAlarms) pushed the outage itself, to a receiver inside its
 * namespace, once raised and once cleared; the centre pushes none of it
 * again. Truth: the poller's simulator.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { CENTRE_STREAM, pollerStream } from '../../shared/bus/busStreams.ts';
import { startCentre, type RunningCentre } from '../../server/centreRole.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { TestNatsCluster } from '../support/natsServer.ts';
import { TestHost, type Link } from '../support/netns.ts';
import { waitFor } from '../support/processes.ts';
import { writeCentreAndPoller } from '../support/productConfig.ts';
import { NMS_BIN } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestInflux, type TestInflux } from '../support/testInflux.ts';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COUNTY = 'hyx';
const LINE = 'HYX-CZJ';
/** How long the uplink stays down. */
const CUT_MS = 180_000;
/**
 * The city's own webhook receiver, inside its namespace (the poller's pushes must not need the uplink):
 * it prints its port, then each request's body on a line.
 */
const CITY_RECEIVER = `
const server = require('node:http').createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    console.log(JSON.stringify(JSON.parse(body)));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"errcode":0}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

describe('real network: a city poller keeps its county through an uplink cut, and the centre catches up', function () {
  this.timeout(CUT_MS + 4 * 60_000);
  let host: TestHost | null = null;
  let link: Link;
  let cluster: TestNatsCluster;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let rx: HttpReceiver;
  let centre: RunningCentre;
  let poller: ChildProcess | null = null;
  let output = '';
  const log = memoryLogger();
  const pushes = () =>
    rx.requests.map(
      (r) => JSON.parse(r.body) as { reason: string; alarm: { kind: string; subject: { id: string }; startedAtMs: number; endedAtMs: number | null } },
    );
  const times = { cutMs: 0, restoredMs: 0 };
  let pushesDuringCut: string[] = [];
  const cityLines: string[] = [];
  const cityPushes = () =>
    cityLines
      .slice(1)
      .map((l) => JSON.parse(l) as { reason: string; alarm: { kind: string; subject: { id: string }; startedAtMs: number; endedAtMs: number | null } });

  const fault = async (kind: string) => {
    const sim = JSON.parse(await readFile(join(dir.path, 'poller', 'sim', 'sim.json'), 'utf8')) as { control: string };
    await exec('ip', ['netns', 'exec', host!.ns, process.execPath, NMS_BIN, 'fault', kind, '--circuit', LINE, '--control', sim.control]);
  };

  before(async () => {
    dir = await tempDir('uplink');
    try {
      host = await TestHost.create('city');
      const tag = String(process.pid % 100_000);
      link = await host.link(`u${tag}c0`, '198.18.80.1', 'uplink0', '198.18.80.2');
      cluster = await TestNatsCluster.start(link.hostAddr);
      const leaf = await cluster.leaf(COUNTY, host.ns);
      influx = await startTestInflux();
      rx = await startHttpReceiver();
      const cityRx = host.spawnInside(process.execPath, ['-e', CITY_RECEIVER]);
      let partial = '';
      cityRx.stdout!.on('data', (d: Buffer) => {
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop()!;
        cityLines.push(...lines);
      });
      await waitFor("the city's receiver", async () => cityLines.length > 0, 10_000);
      // The city's own InfluxDB and simulator run inside its namespace, on its loopback.
      const { centreDir, pollerDir } = await writeCentreAndPoller(dir.path, {
        poller: COUNTY,
        sites: [COUNTY],
        centreServers: cluster.urls,
        pollerServers: [leaf],
        domain: COUNTY,
        replicas: 3,
        hookUrl: `${rx.url}/hook`,
        pollerHookUrl: `http://127.0.0.1:${cityLines[0]}/hook`,
        influxUrl: influx.influx.url,
      });
      centre = await startCentre(await loadConfig({ env: {}, cwd: centreDir }), {}, log.child('centre'));
      poller = spawn('ip', ['netns', 'exec', host.ns, process.execPath, NMS_BIN, 'up', '--config', join(pollerDir, 'nms.yaml')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      poller.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      poller.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await waitFor('the county at the centre, over the uplink', async () => centre.live.circuits.get(LINE)?.status === 'up', 90_000);

      times.cutMs = Date.now();
      await exec('ip', ['link', 'set', link.hostIf, 'down']);
      await sleep(10_000);
      await fault('link-down');
      await sleep(30_000);
      await fault('link-up');
      await sleep(Math.max(0, times.cutMs + CUT_MS - Date.now()));
      pushesDuringCut = pushes().map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`);
      times.restoredMs = Date.now();
      await exec('ip', ['link', 'set', link.hostIf, 'up']);
      await waitFor('the clear, once the centre has caught up', async () => centre.alarms.engine.history().some((a) => a.subject.id === LINE), 90_000);
      await sleep(3000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- poller output ---\n${output.slice(-3000)}\n--- centre log ---\n${log.lines.slice(-30).join('\n')}`, {
        cause: err,
      });
    }
  });

  after(async function () {
    this.timeout(60_000);
    if (poller && poller.exitCode === null) {
      const exited = new Promise((r) => poller!.once('exit', r));
      poller.kill('SIGTERM');
      await exited;
    }
    await centre?.stop();
    await rx?.close();
    await cluster?.dispose();
    await influx?.dispose();
    await host?.remove();
    await dir?.remove();
  });

  it('pushes nothing for the county while the centre cannot hear it, only that its poller is silent', () => {
    expect(pushesDuringCut).to.deep.equal([`raised poller_silent ${COUNTY}`]);
    const silent = pushes().filter((p) => p.alarm.kind === 'poller_silent');
    expect(silent.map((p) => p.reason)).to.deep.equal(['raised', 'cleared']);
    // Silent from the cut (its last heartbeat, within 10 s) until it was heard again, just after the link came back.
    expect(silent[1]!.alarm.startedAtMs - times.cutMs, 'silent from').to.be.within(-11_000, 1000);
    expect(silent[1]!.alarm.endedAtMs! - times.restoredMs, 'heard again').to.be.within(0, 30_000);
  });

  it('has every observation the poller stored, once', async () => {
    const nc = await connect({ servers: cluster.urls });
    try {
      const local = await (await jetstreamManager(nc, { domain: COUNTY })).streams.info(pollerStream(COUNTY));
      const central = await (await jetstreamManager(nc)).streams.info(CENTRE_STREAM);
      const source = central.sources?.find((s) => s.name === pollerStream(COUNTY));
      console.log(`      the poller stored ${local.state.messages} observations; the centre ${central.state.messages}, lag ${source?.lag}`);
      expect(source?.lag).to.equal(0);
      expect(central.state.messages).to.equal(local.state.messages);
    } finally {
      await nc.close();
    }
  });

  it('has the poller push the outage itself, with its true start and end, and the centre push none of it', async () => {
    expect(cityPushes().map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal([
      `raised circuit_down ${LINE}`,
      `cleared circuit_down ${LINE}`,
    ]);
    expect(
      pushes()
        .filter((p) => p.alarm.kind !== 'poller_silent')
        .map((p) => `${p.reason} ${p.alarm.subject.id}`),
      'centre pushes for the county',
    ).to.deep.equal([]);
    const truth = await GroundTruth.read(join(dir.path, 'poller', 'sim', 'truth'));
    const down = truth.eventsOf('link-down').find((e) => 'circuit' in e && e.circuit === LINE)!;
    const up = truth.eventsOf('link-up').find((e) => 'circuit' in e && e.circuit === LINE)!;
    const pushed = cityPushes()[1]!.alarm;
    const central = centre.alarms.engine.history().filter((a) => a.subject.id === LINE);
    console.log(
      `      outage pushed by the city: start ${((pushed.startedAtMs - down.ms) / 1000).toFixed(1)} s, end ${((pushed.endedAtMs! - up.ms) / 1000).toFixed(1)} s from the truth, both during a ${((times.restoredMs - times.cutMs) / 1000).toFixed(0)} s cut`,
    );
    // Within one poll (the poller polls every second) and the trap path; the centre's, from the replay, the same.
    for (const a of [pushed, ...central]) {
      expect(Math.abs(a.startedAtMs - down.ms), 'start').to.be.below(2000);
      expect(Math.abs(a.endedAtMs! - up.ms), 'end').to.be.below(2000);
      expect(a.startedAtMs).to.be.within(times.cutMs, times.restoredMs);
    }
    expect(central.map((a) => a.kind)).to.deep.equal(['circuit_down']);
  });
});
