/**
 * A province's centre and two county pollers as separate processes over a
 * real 3-node nats-server cluster with JetStream, each poller on a leaf node
 * of its own, over its own simulated county and given its
 * model by the centre (one started before the centre, waiting for it): the
 * console (Debian Chromium) lists each poller with its share, when it was
 * last heard and how far behind it is. One poller is then killed with -9:
 * the centre raises one poller_silent alarm naming that county, pushed once
 * to a local webhook receiver, and that county's circuits turn unknown on
 * the console, not down, while the other county stays up. Truth from
 * outside the centre: the topology's own site tree for the shares, the
 * kill's time for the silence.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../server/browser/debianChromium.ts';
import { startCentre, type RunningCentre } from '../../server/centreRole.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import type { PollerStatus } from '../../shared/bus/pollerStatus.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { TestNatsCluster } from '../support/natsServer.ts';
import { waitFor } from '../support/processes.ts';
import { writeCentreAndPollers } from '../support/productConfig.ts';
import { NMS_BIN, runNms, type NmsRun } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestInflux, type TestInflux } from '../support/testInflux.ts';

const COUNTY = 'hyx';
const LINE = 'HYX-CZJ';
/** The second poller's county, and a line of it. */
const OTHER = 'hnx';
const OTHER_LINE = 'HNX-JYJ';
const SILENT_AFTER_S = 5;
const ARTIFACTS = resolve('test-artifacts');

describe('a province’s centre in Chromium: two county pollers heard, then one killed', function () {
  this.timeout(200_000);
  let nats: TestNatsCluster;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let rx: HttpReceiver;
  let centre: RunningCentre;
  let poller: ChildProcess;
  let output = '';
  /** The other county's poller, started before the centre. */
  let other: ChildProcess;
  let otherOutput = '';
  let browser: Browser;
  let page: Page;
  const log = memoryLogger();
  /** Pushes from the `from`-th on. */
  const pushes = (from = 0) =>
    rx.requests.slice(from).map(
      (r) =>
        JSON.parse(r.body) as {
          reason: string;
          alarm: { kind: string; subject: { id: string }; impactedCircuits: string[]; startedAtMs: number; raisedAtMs: number; evidence: { zh: string } };
        },
    );
  /** The county's managed devices and its circuits, from the site tree of topology.yaml. */
  let county: { devices: string[]; circuits: string[] };
  let centreFolder = '';
  const checks: { centre?: NmsRun; poller?: NmsRun; wrongRole?: NmsRun } = {};

  before(async () => {
    nats = await TestNatsCluster.start();
    const leaves = [await nats.leaf(COUNTY), await nats.leaf(OTHER)];
    influx = await startTestInflux();
    dir = await tempDir('centre-console');
    rx = await startHttpReceiver();
    const {
      centreDir,
      pollerDirs: [pollerDir, otherDir],
    } = await writeCentreAndPollers(dir.path, {
      pollers: [COUNTY, OTHER].map((name, i) => ({ name, sites: [name], servers: [leaves[i]!], domain: name, influxUrl: influx.influx.url })),
      centreServers: nats.urls,
      replicas: 3,
      hookUrl: `${rx.url}/hook`,
      influxUrl: influx.influx.url,
      silentAfter: `${SILENT_AFTER_S}s`,
      heartbeat: '1s',
    });
    const nmsUp = (folder: string, out: (d: string) => void) => {
      const child = spawn(process.execPath, [NMS_BIN, 'up', '--config', join(folder, 'nms.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => out(d.toString()));
      child.stderr!.on('data', (d: Buffer) => out(d.toString()));
      return child;
    };
    // Each role's smoke test first, as an operator would run it before the real thing.
    checks.centre = await runNms(['up', '--check', '--role', 'centre', '--config', join(centreDir, 'nms.yaml')], { timeoutMs: 60_000 });
    checks.wrongRole = await runNms(['up', '--role', 'centre', '--config', join(pollerDir!, 'nms.yaml')], { timeoutMs: 30_000 });
    // A poller started before its centre waits for the centre's model.
    other = nmsUp(otherDir!, (d) => (otherOutput += d));
    await waitFor(
      'the other poller waiting for its model',
      async () => otherOutput.includes(`waiting for the centre to give poller ${OTHER} its model`),
      30_000,
    );
    centreFolder = centreDir;
    centre = await startCentre(await loadConfig({ env: {}, cwd: centreDir }), {}, log.child('centre'));
    checks.poller = await runNms(['up', '--check', '--role', 'poller', '--config', join(pollerDir!, 'nms.yaml')], { timeoutMs: 90_000 });
    const spawnedMs = Date.now();
    poller = nmsUp(pollerDir!, (d) => (output += d));
    const t = centre.topology;
    const inCounty = (siteId: string): boolean => siteId === COUNTY || (t.site(siteId).parentId !== null && inCounty(t.site(siteId).parentId!));
    const devices = t.devices.filter((d) => d.managed && inCounty(d.siteId)).map((d) => d.id);
    county = { devices, circuits: t.circuits.filter((c) => devices.includes(c.a.deviceId)).map((c) => c.id) };

    // Heard from this run of the poller, not only what its --check left on the stream.
    const heard = (name: string) => centre.pollers.statuses().find((p) => p.name === name)?.heartbeat?.upSinceMs ?? 0;
    await waitFor(
      'the pollers heard at the centre',
      async () =>
        heard(COUNTY) >= spawnedMs &&
        heard(OTHER) > 0 &&
        centre.live.circuits.get(LINE)?.status === 'up' &&
        centre.live.circuits.get(OTHER_LINE)?.status === 'up',
      60_000,
    );
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const who = centre.console.demoLogins.find((l) => l.role === 'operator')!;
    await page.goto(centre.console.url);
    await page.fill('input[name=username]', who.username);
    await page.fill('input[name=password]', who.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-ready=overview-zh]');
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed')
      console.error(
        `poller output:\n${output.slice(-2000)}\nother poller output:\n${otherOutput.slice(-1000)}\ncentre log:\n${log.lines.slice(-30).join('\n')}`,
      );
  });
  after(async () => {
    await browser?.close();
    for (const p of [poller, other]) if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await centre?.stop();
    await rx?.close();
    await nats?.dispose();
    await influx?.dispose();
    await dir?.remove();
  });

  it('passes nms up --check --role as the centre and as the poller, which polls its county once and has it on the bus; refuses the wrong role', () => {
    expect(checks.centre!.code, checks.centre!.stderr).to.equal(0);
    expect(checks.centre!.stdout)
      .to.match(/nms is up as the centre: hearing hyx/)
      .and.to.match(/poller hyx: 3 devices, 2 circuits/)
      .and.to.match(/check passed: the centre started and stopped/);
    expect(checks.poller!.code, checks.poller!.stderr).to.equal(0);
    expect(checks.poller!.stdout)
      .to.match(/nms is up as poller hyx: 3 devices, 2 circuits/)
      .and.to.match(/check passed: all 3 devices answered; stopped/);
    // --role guards a service against the wrong file: nothing starts.
    expect(checks.wrongRole!.code).to.equal(2);
    expect(checks.wrongRole!.stderr).to.match(/nms up --role centre: .*poller-hyx\/nms\.yaml is role poller/);
  });

  it('lists the poller with the devices and circuits of its county, heard a moment ago and barely behind', async () => {
    const row = page.locator(`#pollers tr[data-poller=${COUNTY}]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-silent')).to.equal('false');
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 5)).to.deep.equal([COUNTY, '衡阳县', String(county.devices.length), String(county.circuits.length), '在线']);
    const status = (await page.evaluate(async () => (await (await fetch('/api/pollers')).json()) as { pollers: PollerStatus[] })).pollers.find(
      (p) => p.name === COUNTY,
    );
    // The poller's own count of what it polls agrees with the centre's.
    expect([status!.heartbeat?.devices, status!.heartbeat?.circuits]).to.deep.equal([county.devices.length, county.circuits.length]);
    expect(Date.now() - status!.lastHeardAtMs!, 'last heard').to.be.below(3000);
    expect(status!.lagMs!, 'lag').to.be.below(3000);
    expect(status!.heartbeat!.queued).to.be.below(100);
    await page.waitForSelector(`tr[data-circuit=${LINE}][data-status=up]`);
    await page.screenshot({ path: join(ARTIFACTS, 'centre-pollers.png') });
  });

  it('raises one poller_silent alarm when the poller is killed with -9, and shows its circuits unknown, not down', async () => {
    // The poller's --check and its start left the centre a gap longer than silentAfter, pushed as such: only what follows the kill counts here.
    await waitFor('no poller silent', async () => centre.alarms.engine.active().length === 0, 15_000);
    const pushedBefore = rx.requests.length;
    const killedMs = Date.now();
    poller.kill('SIGKILL');
    await waitFor('the poller_silent push', async () => pushes(pushedBefore).some((p) => p.alarm.kind === 'poller_silent'), 30_000);
    await page.waitForSelector(`#pollers tr[data-poller=${COUNTY}][data-silent=true]`, { timeout: 15_000 });
    await page.waitForSelector(`tr[data-circuit=${LINE}][data-status=unknown]`, { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 3000));
    await page.screenshot({ path: join(ARTIFACTS, 'centre-poller-silent.png') });

    expect(pushes(pushedBefore).map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal([`raised poller_silent ${COUNTY}`]);
    const alarm = pushes(pushedBefore)[0]!.alarm;
    // Silent from its last message, raised once silentAfter had passed (the engine judges every second).
    // Heard is when the centre received it: a message in flight through the leaf at the kill arrives a moment after.
    expect(killedMs - alarm.startedAtMs, 'last heard before the kill').to.be.within(-500, 2000);
    expect(alarm.raisedAtMs - alarm.startedAtMs).to.be.within(SILENT_AFTER_S * 1000, SILENT_AFTER_S * 1000 + 2500);
    expect(alarm.impactedCircuits).to.have.members(county.circuits);
    expect(alarm.evidence.zh).to.include('衡阳县');
    const shown = await page
      .locator('tr[data-circuit]')
      .evaluateAll((rows) => rows.map((r) => [(r as HTMLElement).dataset.circuit, (r as HTMLElement).dataset.status]));
    const countyShown = shown.filter(([id]) => county.circuits.includes(id!));
    expect(
      countyShown.filter(([, st]) => st !== 'unknown'),
      'county circuits not unknown',
    ).to.deep.equal([]);
    // The other county, polled by its own poller, is as it was.
    expect(await page.locator(`#pollers tr[data-poller=${OTHER}]`).getAttribute('data-silent')).to.equal('false');
    expect(countyShown.length).to.equal(county.circuits.length);
    expect(shown.find(([id]) => id === OTHER_LINE)?.[1]).to.equal('up');
    expect(otherOutput).to.match(new RegExp(`nms is up as poller ${OTHER}: \\d+ devices, \\d+ circuits \\(the centre's model, revision [0-9a-f]{16}\\)`));
    // Nothing was charged as down: no outage alarm for the silence.
    expect(centre.alarms.engine.active().filter((a) => a.kind === 'circuit_down' || a.kind === 'device_unreachable')).to.deep.equal([]);
  });

  it("has the other poller follow the centre's model: restarted with another poll interval, the centre is heard again by a poller that started again on it", async () => {
    const revision = /the centre's model, revision ([0-9a-f]{16})/.exec(otherOutput)![1]!;
    await centre.stop();
    const file = join(centreFolder, 'nms.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('  interval: 1s', '  interval: 2s'));
    const restartedMs = Date.now();
    centre = await startCentre(await loadConfig({ env: {}, cwd: centreFolder }), {}, log.child('centre'));
    await waitFor(
      'the other poller started again on the new model',
      async () => /is now revision [0-9a-f]{16} \(running [0-9a-f]{16}\): starting again with it/.test(otherOutput),
      20_000,
    );
    const heard = () => centre.pollers.statuses().find((p) => p.name === OTHER)?.heartbeat?.upSinceMs ?? 0;
    await waitFor('the other poller heard, from its new start', async () => heard() >= restartedMs, 30_000);
    const revisions = [...otherOutput.matchAll(/nms is up as poller hnx: .*?revision ([0-9a-f]{16})/g)].map((m) => m[1]);
    expect(revisions).to.have.length(2);
    expect(revisions[0]).to.equal(revision);
    expect(revisions[1]).to.not.equal(revision);
    expect(other.exitCode, 'still running').to.equal(null);
  });
});
