/// <reference lib="dom" />
/**
 * A newcomer's first `nms up` on the embedded defaults: before going live it
 * writes a month of simulated history with a progress bar, so the console's
 * 24-hour and 30-day charts are drawn from the first minute (in Debian's
 * Chromium) and a month report has figures, which are checked against the
 * simulator's own ground truth of that month, not against our rollups.
 * Stopped half-way, it stops cleanly, and the next start writes the month
 * again from scratch rather than on top of half of it.
 *
 * The report fixture's small network keeps this to a minute; the demo city's
 * figures are in bench/firstRun.ts.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../server/browser/debianChromium.ts';
import { inkOn } from '../support/canvasInk.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { Report } from '../../shared/reports/reportModel.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { isAlive, waitFor } from '../support/processes.ts';
import { NMS_BIN } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';

const TOPOLOGY = 'test/fixtures/topology/report-month.yaml';
const STEP = 300_000;
const DAY = 86_400_000;

interface Run {
  pid: number;
  out: string;
  exited: Promise<number | null>;
}

describe('first start: a month of history before going live (end to end)', function () {
  this.timeout(600_000);
  let dir: { path: string; remove(): Promise<void> };
  let run: Run | null = null;
  let browser: Browser | null = null;
  let topology: Topology;

  const startNms = (): Run => {
    const child = spawn(process.execPath, [NMS_BIN, 'up'], { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
    const r: Run = { pid: child.pid!, out: '', exited: new Promise((res) => child.on('exit', (code) => res(code))) };
    child.stdout.on('data', (d: Buffer) => (r.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (r.out += d.toString()));
    return r;
  };
  /** Processes whose command line names this test's folder (the managed influxd, say). */
  const leftRunning = () =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir.path);
        } catch {
          return false;
        }
      });

  before(async () => {
    dir = await tempDir('first-run');
    topology = await loadTopology(TOPOLOGY);
    await writeProductConfig(dir.path, { topology: TOPOLOGY, simulator: ['  history: 30', '  historyTruth: true'] });
  });
  after(async () => {
    await browser?.close();
    if (run && isAlive(run.pid)) {
      process.kill(run.pid, 'SIGTERM');
      await run.exited;
    }
    await dir?.remove();
  });

  it('stops cleanly when told to while writing the history, and the next start writes the month again', async () => {
    const first = startNms();
    await waitFor('the history a tenth written', () => /\b([1-9]\d)% \d+\/720 simulated hours/.test(first.out), 120_000);
    process.kill(first.pid, 'SIGTERM');
    const began = Date.now();
    expect(await first.exited, first.out).to.equal(0);
    expect(Date.now() - began).to.be.below(15_000);
    expect(leftRunning(), 'processes of the stopped start').to.deep.equal([]);
    const record = JSON.parse(await readFile(join(dir.path, 'sim', 'history.json'), 'utf8')) as { state: string };
    expect(record.state).to.equal('writing');

    run = startNms();
    await waitFor('nms up', () => run!.out.includes('Press Ctrl-C to stop.'), 240_000);
    expect(run.out).to.include('an earlier start was stopped while writing the demo history; removing what it wrote');
    expect(run.out).to.include('first start: writing 30 days of simulated history');
    expect(run.out).to.match(/100% 720\/720 simulated hours/);
    expect(run.out).to.match(/demo history: 30 days to \S+ written in [\d.]+ s \(8\d\d\d polls, \d+ faults\)/);
  });

  it('shows non-empty 24-hour and 30-day charts from the first minute', async () => {
    const m = /console {3}(http:\/\/127\.0\.0\.1:\d+) \(demo login: noc \/ (\S+) as operator/.exec(run!.out)!;
    const [url, password] = [m[1]!, m[2]!];
    browser = await launchChromium();
    const page: Page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(url);
    await page.fill('input[name=username]', 'noc');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-ready=overview-zh]');
    const circuit = topology.circuits.find((c) => c.level === 'department')!.id;
    await page.goto(`${url}/#/circuit/${circuit}`);
    await page.waitForSelector('body[data-ready=circuit-zh]');
    for (const [range, spanS] of [
      ['24h', 86_400],
      ['30d', 30 * 86_400],
    ] as const) {
      await page.click(`button[data-range="${range}"]`);
      await page.waitForSelector(`.page[data-loaded="${range}"]`);
      // Every step of the range holds traffic ("raw/150s" is a point each 150 s), as far as five-minute polls can fill it.
      const stepS = Number(/\/(\d+)s$/.exec((await page.locator('#traffic-chart').getAttribute('data-resolution')) ?? '')?.[1]);
      const points = Number(await page.locator('#traffic-chart').getAttribute('data-points'));
      expect(points, `${range} steps of ${stepS} s`).to.be.at.least(Math.floor((spanS / Math.max(stepS, STEP / 1000)) * 0.98));
      expect(await inkOn(page, '#traffic-chart canvas'), `${range} chart ink`).to.be.above(1000);
    }
  });

  it('reports the month as the simulator’s ground truth has it: traffic within 2%, every outage within a poll', async () => {
    const m = /console {3}(http:\/\/127\.0\.0\.1:\d+) \(demo login: noc \/ (\S+) as operator/.exec(run!.out)!;
    const login = await fetch(`${m[1]}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'noc', password: m[2] }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const record = JSON.parse(await readFile(join(dir.path, 'sim', 'history.json'), 'utf8')) as { state: string; fromMs: number; toMs: number };
    expect(record.state).to.equal('done');
    const localDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
    const period = `${localDate(record.fromMs + DAY)}..${localDate(record.toMs - DAY)}`;
    const res = await fetch(`${m[1]}/api/reports?period=${period}&format=json`, { headers: { cookie } });
    expect(res.status).to.equal(200);
    const report = (await res.json()) as Report;
    const truth = await GroundTruth.read(join(dir.path, 'sim', 'history-truth'));
    const { fromMs, toMs } = report.period;

    const pairs = (downKind: 'link-down' | 'reboot-start', upKind: 'link-up' | 'boot', key: 'circuit' | 'device') =>
      truth.eventsOf(downKind).map((d) => {
        const id = (d as unknown as Record<string, string>)[key]!;
        const up = truth.eventsOf(upKind).find((u) => (u as unknown as Record<string, string>)[key] === id && u.ms > d.ms)!;
        return { id, from: d.ms, to: up.ms };
      });
    const linkDowns = pairs('link-down', 'link-up', 'circuit');
    const reboots = pairs('reboot-start', 'boot', 'device');
    expect(linkDowns.filter((o) => o.from >= fromMs && o.to < toMs).length, 'outages in the month').to.be.at.least(3);

    for (const c of report.circuits) {
      const circuit = topology.circuit(c.circuitId);
      // What nobody could measure: an uplink down (the router it is read from is cut off) or one of its routers rebooting.
      const devices = [circuit.a.deviceId, circuit.z.kind === 'device' ? circuit.z.deviceId : ''];
      const blind = [...linkDowns.filter((o) => circuit.upstreamIds.includes(o.id)), ...reboots.filter((r) => devices.includes(r.id))];
      for (const [dir, column] of [
        ['in', 'a_in'],
        ['out', 'a_out'],
      ] as const) {
        const rates: number[] = [];
        for (let t = Math.ceil(fromMs / STEP) * STEP; t < toMs; t += STEP) {
          if (blind.some((b) => t > b.from && t - STEP < b.to + 2 * STEP)) continue;
          rates.push((truth.total(c.circuitId, column, t - STEP, t) * 8) / (STEP / 1000));
        }
        const mean = rates.reduce((n, r) => n + r, 0) / rates.length;
        expect(c[dir].meanBps, `${c.circuitId} ${dir}`).to.not.equal(null);
        expect(Math.abs(c[dir].meanBps! - mean), `${c.circuitId} ${dir} mean ${c[dir].meanBps} against ${mean}`).to.be.at.most(0.02 * mean);
      }
      // Its own outages and those of the circuits it hangs from, each where the truth has it.
      // A router's reboot takes its uplink and its own line down together: one outage, charged upstream.
      const mine: Array<{ from: number; to: number; own: boolean }> = [];
      for (const o of linkDowns.filter((d) => (d.id === c.circuitId || circuit.upstreamIds.includes(d.id)) && d.from >= fromMs && d.to < toMs)) {
        const own = o.id === c.circuitId;
        const overlapping = mine.find((x) => o.from <= x.to && o.to >= x.from);
        if (!overlapping) mine.push({ from: o.from, to: o.to, own });
        else Object.assign(overlapping, { from: Math.min(overlapping.from, o.from), to: Math.max(overlapping.to, o.to), own: overlapping.own && own });
      }
      expect(c.outages.length, `${c.circuitId} outages`).to.equal(mine.length);
      for (const o of mine) {
        const listed = c.outages.find((x) => Math.abs(x.startMs - o.from) <= STEP);
        expect(listed, `${c.circuitId}: outage at ${new Date(o.from).toISOString()}`).to.not.equal(undefined);
        expect(Math.abs(listed!.endMs! - o.to), `${c.circuitId}: its end`).to.be.at.most(STEP);
        expect(listed!.own, `${c.circuitId}: charged to itself`).to.equal(o.own);
      }
      expect(c.availability.pct, c.circuitId).to.not.equal(null);
      expect(c.coveragePct, `${c.circuitId} coverage`).to.be.above(90);
    }
  });
});
