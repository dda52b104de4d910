/**
 * Reports against the simulator's ground truth, over a simulated month.
 *
 * The simulator runs on a clock the test moves by hand, five minutes a step,
 * so a month passes in under a minute: the real collector polls the real
 * SNMP agents at each step, the alarm service and SLA ledger follow, the
 * samples go into a real influxd, and `nms backfill`'s statements build the
 * rollups. Faults are injected at known times; two days go unpolled, as if
 * the NMS were down. Every expected figure is computed here from the
 * simulator's ground-truth log (traffic.csv, events.jsonl), never from our
 * own rollups.
 */
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import ExcelJS from 'exceljs';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Collector } from '../../collectors/collector.ts';
import { REAL_REFRESH_DETECTION } from '../../collectors/poll/devicePoller.ts';
import { DEFAULT_CLIENT_OPTIONS } from '../../collectors/snmp/snmpClient.ts';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import { formatPoint, type Point } from '../../collectors/write/lineProtocol.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../../server/alarms/alarmRules.ts';
import { AlarmService } from '../../server/alarms/alarmService.ts';
import { OutageLedger } from '../../server/alarms/outageLedger.ts';
import { ensureSchema } from '../../server/influx/schemaSetup.ts';
import { DeliveryQueue } from '../../server/notifiers/deliveryQueue.ts';
import { buildReport, type ReportSources } from '../../server/reports/reportBuilder.ts';
import { ReportScheduler } from '../../server/reports/reportScheduler.ts';
import { resolveScope } from '../../server/reports/reportScope.ts';
import { buildChannels } from '../../server/notifiers/notifierRegistry.ts';
import { createInfluxClient, execute } from '../../shared/influx/connection.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { Report } from '../../shared/reports/reportModel.ts';
import { rollupBackfill } from '../../shared/schema/rollups.ts';
import { parsePeriod, type ReportPeriod } from '../../shared/time/reportPeriod.ts';
import { localMidnight } from '../../shared/time/zonedTime.ts';
import { ManualClock } from '../../sim/clock.ts';
import { Simulator } from '../../sim/simulator.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { TEST_ENV, TEST_SECRETS } from '../support/simSecrets.ts';
import { startHttpReceiver } from '../support/httpReceiver.ts';
import { runNms } from '../support/runNms.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpWrite, startTestInflux, type TestInflux } from '../support/testInflux.ts';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const STEP = 300_000;
const DAYS = 30;
const MIN = 60_000;

describe('reports against the ground truth (a simulated month)', function () {
  this.timeout(600_000);
  let topology: Topology;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let truth: GroundTruth;
  let period: ReportPeriod;
  let sources: ReportSources;
  let rollupReport: Report;
  let rawReport: Report;
  /** When each poll happened (simulated ms). */
  const polls: number[] = [];
  // Thirty whole local days ending two days ago: all of it inside raw retention (35 days).
  const now = new Date(Date.now() + 8 * 3_600_000);
  const END = localMidnight(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate() - 2, TZ);
  const START = END - DAYS * DAY;
  /** The NMS is down for two whole days: nothing is polled. */
  const GAP = { from: START + 18 * DAY, to: START + 20 * DAY };
  /** What breaks, when (simulated ms from START). */
  const FAULTS = [
    { at: 3 * DAY + 10 * 60 * MIN + 7 * MIN, fault: { fault: 'link-down', circuit: 'HDX-GAJ' } },
    { at: 3 * DAY + 11 * 60 * MIN + 42 * MIN, fault: { fault: 'link-up', circuit: 'HDX-GAJ' } },
    { at: 12 * DAY + 9 * 60 * MIN + 13 * MIN, fault: { fault: 'link-down', circuit: 'HY-HDX' } },
    // Four hours: on its own enough to put every department behind it below its 99.5%, were it charged to them.
    { at: 12 * DAY + 13 * 60 * MIN + 13 * MIN, fault: { fault: 'link-up', circuit: 'HY-HDX' } },
    { at: 25 * DAY + 15 * 60 * MIN, fault: { fault: 'link-down', circuit: 'HY-D-SJ' } },
    { at: 25 * DAY + 21 * 60 * MIN + 30 * MIN, fault: { fault: 'link-up', circuit: 'HY-D-SJ' } },
    // Cut over by the carrier inside a maintenance window: planned, not an outage.
    { at: 22 * DAY + 14 * 60 * MIN, fault: { fault: 'link-down', circuit: 'HDX-WJW' } },
    { at: 22 * DAY + 14 * 60 * MIN + 30 * MIN, fault: { fault: 'link-up', circuit: 'HDX-WJW' } },
  ].sort((a, b) => a.at - b.at);
  const MAINTENANCE = { subjects: ['HDX-WJW'], fromMs: START + 22 * DAY + 13 * 60 * MIN, toMs: START + 22 * DAY + 16 * 60 * MIN, reason: '移动割接' };

  before(async () => {
    const began = Date.now();
    topology = await loadTopology('test/fixtures/topology/report-month.yaml');
    influx = await startTestInflux();
    dir = await tempDir('report-month');
    const client = createInfluxClient({ url: influx.influx.url, database: 'nms', username: null, password: null });
    await ensureSchema(client, 'nms');
    const clock = new ManualClock(START - 2 * STEP);
    const log = memoryLogger();
    const sim = await Simulator.start({ topology, secrets: TEST_SECRETS, log, truthDir: join(dir.path, 'truth'), basePort: 0, clock });
    const live = new LiveState();
    const points: Point[] = [];
    const collector = new Collector({
      topology,
      endpoints: new Map(Object.entries(sim.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.port }])),
      credentials: credentialsFor(topology, TEST_SECRETS),
      production: false,
      sink: { write: (p) => points.push(...p) },
      live,
      log,
      now: () => clock.current,
      // The agents' sysUpTime follows the hand-moved clock, so probing them in real time tells nothing.
      refreshDetection: { ...REAL_REFRESH_DETECTION, enabled: false },
      // The agents answer from this process in milliseconds; a device cut off by the four-hour
      // outage answers never, and the real 2 s × 2 tries would cost three minutes of waiting.
      client: { ...DEFAULT_CLIENT_OPTIONS, timeoutMs: 250, retries: 1 },
    });
    const journal = AlarmJournal.open(join(dir.path, 'alarms'), log);
    const ledger = OutageLedger.open(join(dir.path, 'alarms'), topology, log);
    const alarms = new AlarmService({
      topology,
      rules: DEFAULT_ALARM_RULES,
      journal,
      delivery: new DeliveryQueue([], journal, log),
      live,
      log,
      notice: { language: 'zh', consoleUrl: 'http://x' },
      ledger,
      now: () => clock.current,
      tickMs: 3_600_000,
    });
    alarms.start();
    alarms.engine.setMaintenance([MAINTENANCE]);
    const flush = async () => {
      const lines = points.splice(0).map(formatPoint);
      for (let k = 0; k < lines.length; k += 5000) await httpWrite(influx.influx.url, 'nms', lines.slice(k, k + 5000).join('\n'), 'raw', 'ms');
    };
    const pending = FAULTS.map((f) => ({ at: START + f.at, fault: f.fault }));
    try {
      for (let t = START - STEP; t <= END; t += STEP) {
        // Faults at their own minute, between polls.
        while (pending.length && pending[0]!.at <= t) {
          const f = pending.shift()!;
          clock.current = f.at;
          const checked = sim.check(f.fault);
          if (!checked.ok) throw new Error(checked.error);
          sim.inject(checked.fault);
        }
        clock.current = t;
        if (t >= GAP.from && t < GAP.to) continue;
        await collector.pollAll();
        polls.push(t);
        alarms.evaluate();
        // The product says it is watching once a (real) minute; an hour of simulated time is plenty here.
        if (t % 3_600_000 === 0) ledger.checkpoint(t);
        if (points.length > 20_000) await flush();
      }
      await flush();
    } finally {
      alarms.stop();
      await collector.stop();
      await sim.stop();
      journal.close();
      ledger.close();
    }
    for (const statement of rollupBackfill('nms', new Date(START - DAY), new Date(END + DAY))) await execute(client, statement, 'nms');
    truth = await GroundTruth.read(join(dir.path, 'truth'));
    period = parsePeriod(
      `${new Date(START + 8 * 3_600_000).toISOString().slice(0, 10)}..${new Date(END - DAY + 8 * 3_600_000).toISOString().slice(0, 10)}`,
      TZ,
    );
    sources = {
      topology,
      influx: { database: 'nms', query: (q) => client.query(q) as Promise<Array<Record<string, unknown>>> },
      ledger: OutageLedger.open(join(dir.path, 'alarms'), topology, log),
      activeAlarms: () => [],
      now: () => END + DAY,
    };
    rollupReport = await buildReport(sources, period, resolveScope(topology, 'network'));
    rawReport = await buildReport(sources, period, resolveScope(topology, 'network'), 'raw');
    await writeProductConfig(dir.path, { influxUrl: influx.influx.url, topology: 'test/fixtures/topology/report-month.yaml' });
    console.log(`      (a simulated month: ${polls.length} polls in ${((Date.now() - began) / 1000).toFixed(1)} s)`);
  });
  after(async () => {
    sources?.ledger?.close();
    await influx?.dispose();
    await dir?.remove();
  });

  /**
   * When a circuit could not be measured although the NMS was polling: its
   * uplink was down, so the router it is read from was out of reach (the
   * truth's own times for the uplink's faults).
   */
  function blindWindows(circuitId: string): Array<[number, number]> {
    const uplinks = topology.circuit(circuitId).upstreamIds;
    const downs = truth.eventsOf('link-down').filter((e) => uplinks.includes((e as { circuit: string }).circuit));
    return downs.map((d) => [
      d.ms,
      truth.eventsOf('link-up').find((u) => (u as { circuit: string }).circuit === (d as { circuit: string }).circuit && u.ms > d.ms)!.ms,
    ]);
  }

  /** The truth's 5-minute rates at a circuit's A end for every interval the collector measured in the period. */
  function truthRates(circuitId: string, column: 'a_in' | 'a_out'): number[] {
    const out: number[] = [];
    const blind = blindWindows(circuitId);
    for (let i = 1; i < polls.length; i++) {
      const [from, to] = [polls[i - 1]!, polls[i]!];
      // A sample is stamped at its end; the gap's one long interval is left out, and so is what nobody could reach.
      if (to < period.fromMs || to >= period.toMs || to - from > STEP) continue;
      if (blind.some(([s, e]) => to > s && from < e + STEP)) continue;
      out.push((truth.total(circuitId, column, from, to) * 8) / ((to - from) / 1000));
    }
    return out;
  }
  const nearestRankP95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1]!;
  const within = (actual: number | null, expected: number, share: number, what: string) => {
    expect(actual, what).to.not.equal(null);
    expect(Math.abs(actual! - expected), `${what}: ${actual} against ${expected}`).to.be.at.most(Math.max(share * Math.abs(expected), 1));
  };

  it('gives each circuit the mean, peak and 95th percentile of the truth, within 1%', () => {
    for (const c of rollupReport.circuits) {
      for (const [dir, column] of [
        ['in', 'a_in'],
        ['out', 'a_out'],
      ] as const) {
        const rates = truthRates(c.circuitId, column);
        within(c[dir].meanBps, rates.reduce((n, r) => n + r, 0) / rates.length, 0.01, `${c.circuitId} ${dir} mean`);
        within(c[dir].peakBps, Math.max(...rates), 0.01, `${c.circuitId} ${dir} peak`);
        within(c[dir].p95Bps, nearestRankP95(rates), 0.01, `${c.circuitId} ${dir} 95th percentile`);
      }
    }
  });

  it('gets the same 95th percentile from the rollup as from raw samples, within 1%', () => {
    for (const c of rollupReport.circuits) {
      const raw = rawReport.circuits.find((r) => r.circuitId === c.circuitId)!;
      for (const dir of ['in', 'out'] as const) within(c[dir].p95Bps, raw[dir].p95Bps!, 0.01, `${c.circuitId} ${dir}`);
    }
  });

  it('reports the two unpolled days as lost coverage, not as up time', () => {
    for (const c of rollupReport.circuits) {
      const blindDays = blindWindows(c.circuitId).reduce((n, [s, e]) => n + (e - s) / DAY, 0);
      expect(c.coveragePct, c.circuitId).to.be.within(((DAYS - 2 - blindDays) / DAYS) * 100 - 0.5, ((DAYS - 2 - blindDays) / DAYS) * 100 + 0.1);
      expect(c.availability.unknownS, c.circuitId).to.be.within(2 * 86_400, 2 * 86_400 + (3 * STEP) / 1000);
      expect(c.availability.coveragePct, c.circuitId).to.be.below(94);
    }
  });

  it('lists the outages the faults caused, each within one poll interval of the truth, and nothing else', () => {
    const downs = truth.eventsOf('link-down');
    const ups = truth.eventsOf('link-up');
    const truthOutages = downs
      .filter((d) => d.ms < MAINTENANCE.fromMs || d.ms >= MAINTENANCE.toMs)
      .map((d) => {
        const circuit = (d as { circuit: string }).circuit;
        const up = ups.find((u) => (u as { circuit: string }).circuit === circuit && u.ms > d.ms)!;
        return { circuit, from: d.ms, to: up.ms };
      });
    // A county uplink down is an outage of every department behind it, too.
    const expected = truthOutages.flatMap((o) => [
      o,
      ...topology.circuits.filter((c) => c.upstreamIds.includes(o.circuit)).map((c) => ({ ...o, circuit: c.id })),
    ]);
    const listed = rollupReport.circuits.flatMap((c) => c.outages);
    expect(listed.map((o) => o.circuitId).sort()).to.deep.equal(expected.map((o) => o.circuit).sort());
    for (const e of expected) {
      const o = listed.find((x) => x.circuitId === e.circuit && Math.abs(x.startMs - e.from) <= STEP)!;
      expect(o, `${e.circuit} at ${new Date(e.from).toISOString()}`).to.not.equal(undefined);
      expect(Math.abs(o.endMs! - e.to), `${e.circuit} end`).to.be.at.most(STEP);
    }
    for (const c of rollupReport.circuits) {
      const mine = expected.filter((e) => e.circuit === c.circuitId);
      const truthDown = mine.reduce((n, e) => n + (e.to - e.from), 0);
      expect(Math.abs((c.availability.downS + c.availability.upstreamDownS) * 1000 - truthDown), `${c.circuitId} downtime`).to.be.at.most(
        STEP * Math.max(1, mine.length),
      );
      expect(c.availability.outageCount + c.availability.upstreamOutageCount, c.circuitId).to.equal(mine.length);
      // Its own share is the faults on the circuit itself.
      const own = mine.filter((e) => truthOutages.some((t) => t === e || (t.circuit === c.circuitId && t.from === e.from)));
      expect(c.availability.outageCount, `${c.circuitId} own outages`).to.equal(own.length);
    }
  });

  it('leaves planned work out of the outage list and the downtime', () => {
    const wjw = rollupReport.circuits.find((c) => c.circuitId === 'HDX-WJW')!;
    // Only the county uplink's outage is HDX-WJW's; its own cut-over was planned.
    expect(wjw.outages.map((o) => o.cause)).to.deep.equal(['circuit_down HY-HDX']);
    expect(wjw.outages.some((o) => o.startMs >= MAINTENANCE.fromMs && o.startMs < MAINTENANCE.toMs)).to.equal(false);
    // And that one is its uplink's: charged there, not to HDX-WJW's own figure.
    expect(wjw.availability.downS).to.equal(0);
    expect(wjw.availability.upstreamDownS).to.equal(wjw.outages[0]!.durationS);
    expect(Math.abs(wjw.availability.maintenanceS - 30 * 60)).to.be.at.most(STEP / 1000);
  });

  it('works out availability against the SLA target from known time only', () => {
    const sj = rollupReport.circuits.find((c) => c.circuitId === 'HY-D-SJ')!;
    const known = sj.availability.knownS;
    expect(sj.availability.pct).to.be.closeTo((100 * (known - sj.availability.downS)) / known, 1e-9);
    // 6.5 hours down in 28 known days is 99.03%: below the department tier's 99.5%.
    expect(sj.availability.met).to.equal(false);
    const unicom = rollupReport.carriers.find((c) => c.carrier === 'unicom')!;
    expect(unicom.breaches.map((b) => b.circuitId)).to.deep.equal(['HY-D-SJ']);
    expect(unicom.breaches[0]!.outages).to.have.length(1);
  });

  it("charges an uplink's outage to the uplink's carrier, listing the departments behind it there, not as their own carriers' breaches", () => {
    const truthUp = truth.eventsOf('link-up').find((e) => (e as { circuit: string }).circuit === 'HY-HDX')!.ms;
    const truthDown = truth.eventsOf('link-down').find((e) => (e as { circuit: string }).circuit === 'HY-HDX')!.ms;
    const behind = topology.circuits.filter((c) => c.upstreamIds.includes('HY-HDX'));
    expect(behind.map((c) => c.carrier).sort(), 'departments of other carriers behind a 电信 uplink').to.include.members(['mobile', 'unicom']);
    const telecom = rollupReport.carriers.find((c) => c.carrier === 'telecom')!;
    expect(
      telecom.breaches.map((b) => b.circuitId),
      'the uplink is below its own SLA',
    ).to.include('HY-HDX');
    const knock = telecom.knockOn.find((k) => k.rootCircuitId === 'HY-HDX')!;
    expect(knock.impacted.map((i) => i.circuitId)).to.have.members(behind.map((c) => c.id));
    expect(Math.abs(knock.startMs - truthDown)).to.be.at.most(STEP);
    expect(Math.abs(knock.durationS * 1000 - (truthUp - truthDown))).to.be.at.most(2 * STEP);
    for (const c of behind) {
      const f = rollupReport.circuits.find((x) => x.circuitId === c.id)!;
      // Four hours down in 28 days would be 99.4%; charged upstream, the line itself met 99.5%.
      expect(f.availability.met, `${c.id} (${c.carrier}) judged on its own outages`).to.equal(true);
      expect(f.availability.servicePct!, `${c.id}: what its users had`).to.be.below(99.5);
      expect(rollupReport.carriers.find((x) => x.carrier === c.carrier)!.breaches.map((b) => b.circuitId)).not.to.include(c.id);
      for (const o of f.outages.filter((x) => !x.own))
        expect(o.chargedTo).to.deep.equal({ type: 'circuit', id: 'HY-HDX', carrier: 'telecom', carrierCircuitId: 'HYDX-MSTP10M-0004' });
    }
  });

  it('says every cause in the report language, never the ledger code', async () => {
    const { causeText } = await import('../../server/reports/reportWords.ts');
    const rows = rollupReport.circuits.flatMap((c) => c.outages);
    expect(rows.length).to.be.above(3);
    for (const o of rows) {
      const zh = causeText(o, 'zh');
      expect(zh, o.cause).to.match(/[\u4e00-\u9fff]/);
      expect(zh, o.cause).not.to.match(/circuit_down|device_unreachable|flapping|\bdown\b/);
    }
    const upstream = rows.find((o) => !o.own && o.circuitId === 'HDX-GAJ')!;
    expect(causeText(upstream, 'zh')).to.equal('上联电路 HY-HDX（中国电信 HYDX-MSTP10M-0004）中断');
    expect(causeText(upstream, 'en')).to.equal('uplink HY-HDX (China Telecom HYDX-MSTP10M-0004) down');
  });

  it('gives no capacity advice for a day it has almost no traffic for, and says why', async () => {
    const day = new Date(GAP.from + 8 * 3_600_000).toISOString().slice(0, 10);
    const r = await buildReport(sources, parsePeriod(day, TZ), resolveScope(topology, 'network'));
    for (const c of r.circuits) {
      expect(c.coveragePct, c.circuitId).to.be.below(80);
      expect(c.advice, c.circuitId).to.equal('too-little-data');
    }
  });

  it('writes an XLSX whose cells hold the figures as numbers, read back with exceljs', async () => {
    const file = join(dir.path, 'county.xlsx');
    const r = await runNms(['report', '--period', period.label, '--scope', 'county:衡东县', '--format', 'xlsx', '--out', file], {
      cwd: dir.path,
      env: TEST_ENV,
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/county\.xlsx: 4 circuits/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('电路')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const col = (h: string) => headers.indexOf(h) + 1;
    const county = await buildReport(sources, period, resolveScope(topology, 'county:hdx'));
    expect(sheet.rowCount).to.equal(1 + county.circuits.length);
    for (let i = 0; i < county.circuits.length; i++) {
      const row = sheet.getRow(i + 2);
      const c = county.circuits.find((x) => x.circuitId === row.getCell(col('电路')).value)!;
      const p95 = row.getCell(col('入95值 (bit/s)')).value;
      expect(typeof p95, 'a number, not text').to.equal('number');
      expect(p95).to.be.closeTo(c.in.p95Bps!, 1);
      expect(row.getCell(col('可用率 %')).value).to.be.closeTo(c.availability.pct!, 1e-4);
    }
    const outages = book.getWorksheet('中断明细')!;
    expect(outages.rowCount - 1).to.equal(county.circuits.reduce((n, c) => n + c.outages.length, 0));
    // Times are dates a spreadsheet can sort and subtract: the zone's wall clock, as Excel keeps dates.
    const oHeaders = (outages.getRow(1).values as unknown[]).slice(1);
    const start = outages.getRow(2).getCell(oHeaders.indexOf('开始') + 1);
    expect(start.value).to.be.instanceOf(Date);
    expect(start.numFmt).to.equal('yyyy-mm-dd hh:mm:ss');
    const first = county.circuits
      .flatMap((c) => c.outages)
      .find((o) => o.circuitId === outages.getRow(2).getCell(1).value && Math.abs((start.value as Date).getTime() - 8 * 3_600_000 - o.startMs) < 1000);
    expect(first, 'the cell is the outage start in Asia/Shanghai').to.not.equal(undefined);
    expect(String(outages.getRow(2).getCell(oHeaders.indexOf('原因') + 1).value)).to.match(/[\u4e00-\u9fff]/);
  });

  it("prints a PDF whose pages and text Debian's pdftotext reads back", async () => {
    const file = join(dir.path, 'network.pdf');
    const r = await runNms(['report', '--period', period.label, '--format', 'pdf', '--out', file], { cwd: dir.path, env: TEST_ENV, timeoutMs: 90_000 });
    expect(r.code, r.stderr).to.equal(0);
    // Kept to look at, beside the console's screenshots.
    await mkdir(resolve('test-artifacts'), { recursive: true });
    await copyFile(file, resolve('test-artifacts', 'report-network.pdf'));
    const info = await run('pdfinfo', [file]);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
    expect(pages).to.be.within(2, 12);
    const text = await run('pdftotext', ['-layout', file, '-']);
    expect(text).to.contain('带宽与 SLA 报表');
    // Every page says who issued it, for which period, and which page of how many it is.
    const pageTexts = text.split('\f').filter((p) => p.trim());
    expect(pageTexts).to.have.length(pages);
    pageTexts.forEach((p, i) => {
      // (pdftotext drops the spaces around Chromium's page-number spans)
      expect(p, `page ${i + 1}`).to.match(new RegExp(`第\\s*${i + 1}\\s*/\\s*${pages}\\s*页`));
      expect(p, `page ${i + 1}`).to.contain(`出具: ${topology.network.name.zh}`);
      expect(p, `page ${i + 1}`).to.contain(period.label);
    });
    expect(text).not.to.match(/circuit_down|device_unreachable/);
    // Page 1 is full: the two charts side by side within the page, not the second pushed over.
    expect(pageTexts[0]).to.contain('分时段平均流量').and.to.contain('最繁忙电路');
    expect(text).to.contain(period.label);
    expect(text).to.contain('Asia/Shanghai');
    for (const c of topology.circuits) expect(text).to.contain(c.carrierCircuitId);
    // The coverage the page states is the report's.
    expect(text).to.contain(`${rollupReport.totals.trafficCoveragePct.toFixed(1)}%`);
  });

  it('writes CSV with plain numbers, and refuses a bad period or scope saying why', async () => {
    const r = await runNms(['report', '--period', period.label, '--scope', 'carrier:联通', '--format', 'csv', '--lang', 'en'], {
      cwd: dir.path,
      env: TEST_ENV,
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).to.equal(0);
    const [head, ...rows] = r.stdout
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(head!.split(',')[0]).to.equal('Circuit');
    expect(rows.map((x) => x.split(',')[0]).sort()).to.deep.equal(['HDX-GAJ', 'HY-D-SJ']);
    const inMean = head!.split(',').indexOf('In mean (bit/s)');
    for (const row of rows) expect(Number(row.split(',')[inMean])).to.be.above(0);
    const bad = await runNms(['report', '--period', '2026-13', '--scope', 'county:nowhere'], { cwd: dir.path, env: TEST_ENV });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('nms report: --period: "2026-13": no month 13');
    const scope = await runNms(['report', '--period', period.label, '--scope', 'county:nowhere'], { cwd: dir.path, env: TEST_ENV });
    expect(scope.stderr).to.contain('nms report: --scope: county:nowhere: no county of that id or name (衡东县)');
  });
  it('makes the daily reports a stopped server missed, stores them, mails the files and posts the links, once, retrying a refused send', async () => {
    const rx = await startHttpReceiver();
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let raw = '';
        stream.on('data', (d: Buffer) => (raw += d.toString('latin1')));
        stream.on('end', () => {
          mails.push(raw);
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const reportsDir = join(dir.path, 'reports');
    try {
      const channels = buildChannels(
        [
          {
            name: 'managers-mail',
            kind: 'email',
            host: '127.0.0.1',
            port: (smtp.server.address() as { port: number }).port,
            from: 'nms@hy.gov.cn',
            to: ['xxb@hy.gov.cn'],
          },
          { name: 'oa-hook', kind: 'webhook', url: `${rx.url}/reports` },
        ],
        { env: {} },
      );
      const schedules = [
        {
          name: 'daily-county',
          every: 'daily' as const,
          scope: 'county:衡东县',
          formats: ['xlsx' as const, 'csv' as const],
          language: 'zh' as const,
          channels: ['managers-mail', 'oa-hook'],
        },
      ];
      // The server was first started three days before the data ends, then stopped: three daily runs are owed.
      await mkdir(reportsDir, { recursive: true });
      await writeFile(join(reportsDir, 'state.json'), JSON.stringify({ firstStartMs: END - 3 * DAY, done: {}, owed: [] }));
      rx.respond = () => ({ status: 503, body: 'busy' });
      const open = () =>
        new ReportScheduler({ schedules, sources, dir: reportsDir, channels, consoleUrl: 'http://nms.hy.gov.cn:8080', timeZone: TZ, log: memoryLogger() });
      await open().runDue();
      const stored = open().stored();
      const days = [END - 3 * DAY, END - 2 * DAY, END - DAY].map((t) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10));
      expect(stored.map((r) => r.file).sort()).to.deep.equal(days.flatMap((d) => [`nms-report_county-hdx_${d}.csv`, `nms-report_county-hdx_${d}.xlsx`]).sort());
      // Each day's workbook holds that day's figures.
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(join(reportsDir, 'daily-county', `nms-report_county-hdx_${days[0]}.xlsx`));
      expect(String(book.getWorksheet('概要')!.getCell('B2').value)).to.contain(days[0]);
      expect(mails).to.have.length(3);
      const attached = mails[0]!.match(/filename="?(nms-report_[^";\r\n]+)/g)!.map((m) => m.replace(/filename="?/, ''));
      expect(attached.sort()).to.deep.equal([`nms-report_county-hdx_${days[0]}.csv`, `nms-report_county-hdx_${days[0]}.xlsx`]);
      // The webhook refused: nothing lost, it is owed.
      expect(rx.requests).to.have.length(3);
      // A restart: nothing made twice, nothing mailed twice; the owed posts go out now that the receiver answers.
      rx.respond = () => ({ status: 200, body: '{}' });
      await open().runDue();
      expect(open().stored()).to.have.length(6);
      expect(mails).to.have.length(3);
      const posted = rx.requests.slice(3).map((r) => JSON.parse(r.body) as { id: string; type: string; links: Array<{ url: string }> });
      expect(posted.map((p) => p.id).sort()).to.deep.equal(days.map((d) => `report:daily-county:${d}:oa-hook`).sort());
      expect(posted[0]!.links.map((l) => l.url)).to.include(
        `http://nms.hy.gov.cn:8080/api/reports/stored/daily-county/nms-report_county-hdx_${posted[0]!.id.split(':')[2]}.xlsx`,
      );
      await open().runDue();
      expect(rx.requests).to.have.length(6);
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
      await rx.close();
    }
  });
});

function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(tool, args, { maxBuffer: 16 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
}
