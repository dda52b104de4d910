/// <reference lib="dom" />
/**
 * The console in Debian's Chromium (playwright-core, never a downloaded
 * browser), against the whole product with the simulated network. What the
 * page shows is checked against what is true outside the page: the
 * topology file, the simulator's faults, the alarm engine's own record of an
 * acknowledgement, InfluxDB's rows. Screenshots of every page go to
 * test-artifacts/.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../shared/config/config.ts';
import { DEMO_SECRETS_FILE } from '../../shared/config/defaults.ts';
import { memoryLogger } from '../../shared/log.ts';
import { launchChromium } from '../../server/browser/debianChromium.ts';
import { inkOn } from '../support/canvasInk.ts';
import { startProduct, type RunningProduct } from '../../server/runtime.ts';
import { HOSTILE_ALIAS } from '../../sim/network/interfaces.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { TEST_ENV } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery } from '../support/testInflux.ts';

const ARTIFACTS = resolve('test-artifacts');

describe('console in Chromium (end to end)', function () {
  this.timeout(120_000);
  let dir: { path: string; remove(): Promise<void> };
  let product: RunningProduct;
  let browser: Browser;
  let operator: BrowserContext;
  let page: Page;
  const shot = (p: Page, name: string, fullPage = false) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
  const logIn = async (p: Page, role: 'operator' | 'viewer' | 'admin') => {
    const who = product.console.demoLogins.find((l) => l.role === role)!;
    await p.goto(product.console.url);
    await p.fill('input[name=username]', who.username);
    await p.fill('input[name=password]', who.password);
    await p.click('button[type=submit]');
    await p.waitForSelector('body[data-ready=overview-zh]');
  };
  /** Every page the browser was sent, and every API answer, as text: for secrets that must never be there. */
  const seen: string[] = [];

  before(async () => {
    dir = await tempDir('console');
    await mkdir(ARTIFACTS, { recursive: true });
    // A copy, so that the reload test below can edit it.
    await copyFile('topology.yaml', join(dir.path, 'topology.yaml'));
    await writeProductConfig(dir.path, {
      topology: join(dir.path, 'topology.yaml'),
      collector: ['  probeInterval: 10s'],
      alarms: ['  quality: { window: 10s, sustain: 5s, clearAfter: 10s }'],
    });
    product = await startProduct(await loadConfig({ env: TEST_ENV, cwd: dir.path }), TEST_ENV, memoryLogger());
    browser = await launchChromium();
    operator = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await operator.newPage();
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'image')
        void r.text().then(
          (t) => seen.push(t),
          () => undefined,
        );
    });
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
    await dir?.remove();
  });

  it('logs an operator in and shows every circuit of topology.yaml', async () => {
    await page.goto(product.console.url);
    await shot(page, 'login');
    await logIn(page, 'operator');
    expect(await page.locator('tr[data-circuit]').count()).to.equal(product.topology.circuits.length);
    const shown = await page.locator('tr[data-circuit]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.circuit));
    expect(shown).to.have.members(product.topology.circuits.map((c) => c.id));
    await page.waitForFunction("document.querySelectorAll('tr[data-status=up]').length > 80", undefined, { timeout: 20_000 });
    // Nothing active yet: the alarm count is not painted red.
    expect(await page.locator('#nav-alarm-count').textContent()).to.equal(String(product.alarms.engine.active().length));
    if (product.alarms.engine.active().length === 0) expect(await page.locator('#nav-alarm-count').getAttribute('class')).to.equal('count zero');
    // The map is drawn on the city's county and district outlines (web/basemaps/hengyang.geojson), as SVG paths filled as land.
    const outlines = JSON.parse(readFileSync('web/basemaps/hengyang.geojson', 'utf8')) as { features: Array<{ properties: { name: string } }> };
    expect(await page.locator('#map').getAttribute('data-regions')).to.equal(String(outlines.features.length));
    const land = await page.locator('#map svg path').evaluateAll((paths) => paths.filter((p) => p.getAttribute('fill') === '#162331').length);
    expect(land, 'county and district polygons drawn').to.equal(outlines.features.length);
    // The city's 81 departments stand as one node of the city, named first; the counties are named where their
    // labels do not collide (南岳区 sits 14 km from 衡山县: at this size one of them gives way).
    const labels = await page.locator('#map svg text').allTextContents();
    expect(labels.some((l) => l.startsWith('衡阳市 81 个单位'))).to.equal(true);
    expect(labels.filter((l) => /^(衡阳县|衡南县|衡山县|衡东县|祁东县|耒阳市|常宁市|南岳区)/.test(l)).length).to.be.within(7, 8);
    await shot(page, 'overview');
    await shot(page, 'overview-full', true);
  });

  it('turns a line red on the map the moment its linkDown trap arrives, and back when the poll after it finds the line up', async () => {
    // Every change of the map's count of red lines, as the page drew it.
    await page.evaluate(() => {
      const map = document.querySelector('#map')!;
      const seen: string[] = [];
      (window as unknown as { downSeen: string[] }).downSeen = seen;
      new MutationObserver(() => seen.push(map.getAttribute('data-down') ?? '')).observe(map, { attributes: true, attributeFilter: ['data-down'] });
    });
    expect(await page.locator('#map').getAttribute('data-down')).to.equal('0');
    const sim = product.simulation!.simulator;
    const line = sim.network.circuits.find((c) => c.circuit.id === 'HY-HSX')!;
    // A linkDown trap from the city's router for a line that is up: no poll can turn it red, only the trap.
    sim.traps.linkChange(line.a!, false, Date.now());
    await page.waitForFunction(() => (window as unknown as { downSeen: string[] }).downSeen.includes('1'), undefined, { timeout: 5_000 });
    // The poll begun after the trap finds the line up, and the map goes with it.
    await page.waitForFunction(() => document.querySelector('#map')!.getAttribute('data-down') === '0', undefined, { timeout: 20_000 });
    expect(product.live.circuits.get('HY-HSX')?.status).to.equal('up');
  });

  it('turns a county uplink red without a reload when it goes down, and raises its alarm', async () => {
    product.simulation!.simulator.inject({ fault: 'link-down', circuit: 'HY-HYX' });
    await page.waitForSelector('tr[data-circuit=HY-HYX][data-status=down]', { timeout: 10_000 });
    // A link that is down carries nothing now, whatever the interval that saw it fall averaged: on the page at
    // once (it may be the trap's alarm that turned it red), and in the live state once the poll confirms it.
    const cells = await page.locator('tr[data-circuit=HY-HYX] td.num').allTextContents();
    expect(cells.slice(1, 3), 'in and out on the page').to.deep.equal(['0bps', '0bps']);
    await waitFor('the poll that confirms it', async () => product.live.circuits.get('HY-HYX')?.status === 'down', 10_000);
    const live = product.live.circuits.get('HY-HYX')!;
    expect([live.inBps, live.outBps]).to.deep.equal([0, 0]);
    expect(await page.locator('#kpi-down').textContent()).to.match(/中断电路 [1-9]/);
    expect(Number(await page.locator('#map').getAttribute('data-down'))).to.be.at.least(1);
    await waitFor('the alarm counted', async () => Number(await page.locator('#nav-alarm-count').textContent()) > 0, 15_000);
    expect(await page.locator('#nav-alarm-count').getAttribute('class'), 'red once something is active').to.equal('count');
    await shot(page, 'overview-uplink-down');
  });

  it('acknowledges the alarm from the alarm console, as the alarm engine records it', async () => {
    await page.click('#nav-alarms');
    await page.waitForSelector('body[data-ready=alarms-zh]');
    const row = page.locator('tr[data-alarm^="circuit_down:HY-HYX@"]');
    await row.waitFor({ timeout: 15_000 });
    // The root alarm lists the departments' circuits behind the uplink under it.
    const behind = product.topology.circuits.filter((c) => c.upstreamIds.includes('HY-HYX')).map((c) => c.id);
    const alarmId = (await row.getAttribute('data-alarm'))!;
    const impacted = await page.locator(`tr[data-impacted-of="${alarmId}"] a`).allTextContents();
    expect(impacted).to.have.members(behind);
    // Each with its department, contact and carrier number, as topology.yaml has them.
    for (const id of behind) {
      const c = product.topology.circuit(id);
      const site = product.topology.site(c.ownerSiteId);
      const line = (await page.locator(`tr[data-impacted-of="${alarmId}"] li[data-circuit="${id}"]`).textContent())!;
      expect(line).to.contain(site.name.zh).and.to.contain(c.carrierCircuitId);
      if (site.contact) expect(line).to.contain(site.contact.phone);
    }
    // The evidence in the page's language, and a duration that moves by itself.
    const evidence = (await page.locator(`tr[data-alarm="${alarmId}"] ~ tr.detail .evidence`).first().textContent())!;
    expect(evidence).to.match(/[\u4e00-\u9fff]/);
    expect(evidence).not.to.contain('ifOperStatus down at');
    const duration = row.locator('td.duration');
    const before = await duration.textContent();
    await waitFor('the duration to tick', async () => (await duration.textContent()) !== before, 5_000);
    // A trouble ticket in Chinese, ready to paste: the carrier's number and the departments.
    const ticket = await page.locator(`tr[data-alarm="${alarmId}"] ~ tr.detail textarea.ticket`).first().inputValue();
    const uplink = product.topology.circuit('HY-HYX');
    expect(ticket)
      .to.match(/^【故障工单】紧急告警/)
      .and.to.contain(`电路编号：${uplink.carrierCircuitId}`)
      .and.to.contain(`受影响电路（${behind.length} 条）`);
    await shot(page, 'alarms');
    await row.locator('.ack-comment').fill('已电话通知电信 <b>工单 8812</b>');
    await row.locator('button.ack').click();
    await page.waitForSelector(`tr[data-alarm="${alarmId}"][data-acked=true]`);
    const ack = product.alarms.engine.active().find((a) => a.id === alarmId)?.ack;
    expect(ack).to.include({ by: product.console.demoLogins.find((l) => l.role === 'operator')!.username, comment: '已电话通知电信 <b>工单 8812</b>' });
    expect(await page.locator(`tr[data-alarm="${alarmId}"] .ack-state`).textContent()).to.contain('<b>工单 8812</b>');
    await shot(page, 'alarms-acknowledged');
    product.simulation!.simulator.inject({ fault: 'link-up', circuit: 'HY-HYX' });
  });

  it('shows a degraded county uplink amber, apart from a down line, and charts its round trips as Smokeping does', async () => {
    await page.click('#nav-overview');
    await page.waitForSelector('body[data-ready=overview-zh]');
    product.simulation!.simulator.inject({ fault: 'degrade', circuit: 'HY-LYS', delay: 120, loss: 10, for: 120 });
    product.simulation!.simulator.inject({ fault: 'link-down', circuit: 'HY-D-GAJ', for: 60 });
    await page.waitForSelector('tr[data-circuit=HY-LYS][data-status=degraded]', { timeout: 45_000 });
    await page.waitForSelector('tr[data-circuit=HY-D-GAJ][data-status=down]', { timeout: 10_000 });
    // The alarm engine's own record: a degraded alarm on the uplink, none on the line that is down.
    const active = product.alarms.engine.active();
    const degraded = active.filter((a) => a.kind === 'circuit_degraded');
    expect(
      degraded.map((a) => a.subject.id),
      degraded.map((a) => `${a.subject.id}: ${a.detail}`).join('; '),
    ).to.deep.equal(['HY-LYS']);
    expect(Number(await page.locator('#map').getAttribute('data-degraded')), 'degraded links on the map').to.be.at.least(1);
    expect(await page.locator('#kpi-degraded').textContent()).to.match(/^劣化电路 [1-9]\d*$/);
    expect(await page.locator('tr[data-circuit=HY-LYS] td.status').textContent()).to.equal('质量劣化');
    // Down rows first, then degraded ones, above the rest.
    const order = await page.locator('tr[data-circuit]').evaluateAll((rows) => rows.slice(0, 12).map((r) => (r as HTMLElement).dataset.status));
    expect(order.indexOf('degraded')).to.be.above(order.lastIndexOf('down'));
    await shot(page, 'overview-degraded');

    await page.click('tr[data-circuit=HY-LYS] a');
    await page.waitForSelector('body[data-ready=circuit-zh]');
    expect(await page.locator('#circuit-status').getAttribute('data-status')).to.equal('degraded');
    // Rounds reach InfluxDB a poll after they end: click the hour until two are in.
    await waitFor(
      'the latency chart drawn',
      async () => {
        await page.click('button[data-range="1h"]');
        await page.waitForSelector('.page[data-loaded="1h"]');
        return Number(await page.locator('#latency-chart').getAttribute('data-points')) >= 2;
      },
      60_000,
    );
    const rounds = await httpQuery(
      product.store.embedded!.url,
      `SELECT count(rtt_median_ms) AS n FROM circuit_quality WHERE circuit = 'HY-LYS' AND time > now() - 1h GROUP BY time(10s) fill(none)`,
      'nms',
    );
    expect(rounds.length - Number(await page.locator('#latency-chart').getAttribute('data-points')), 'latency steps as InfluxDB has them').to.be.within(0, 1);
    expect(Number(await page.locator('#loss-chart').getAttribute('data-points'))).to.be.at.least(1);
    expect(await page.locator('#quality-note').textContent()).to.equal('SLA: 往返时延 ≤ 30 ms · 丢包率 ≤ 1% · 抖动 ≤ 8 ms');
    await shot(page, 'circuit-degraded', true);
  }).timeout(180_000);

  it('opens a circuit from the overview and charts what InfluxDB holds for it', async () => {
    await page.click('#nav-overview');
    await page.waitForSelector('body[data-ready=overview-zh]');
    await page.click('tr[data-circuit=HY-D-GAJ] a');
    await page.waitForSelector('body[data-ready=circuit-zh]');
    const circuit = product.topology.circuit('HY-D-GAJ');
    expect(await page.locator('#carrier-no').textContent()).to.equal(circuit.carrierCircuitId);
    // Click the hour until at least two 10-second steps of traffic are in: the product polls every second.
    await waitFor(
      'the chart drawn',
      async () => {
        await page.click('button[data-range="1h"]');
        await page.waitForSelector('.page[data-loaded="1h"]');
        return Number(await page.locator('#traffic-chart').getAttribute('data-points')) >= 2;
      },
      40_000,
    );
    expect(await page.locator('#traffic-chart').getAttribute('data-resolution')).to.equal('raw/10s');
    // As many steps as InfluxDB itself has for the hour (one more may have begun since).
    const steps = await httpQuery(
      product.store.embedded!.url,
      `SELECT mean(in_bps) FROM circuit_traffic WHERE circuit = 'HY-D-GAJ' AND time > now() - 1h GROUP BY time(10s) fill(none)`,
      'nms',
    );
    expect(steps.length - Number(await page.locator('#traffic-chart').getAttribute('data-points'))).to.be.within(0, 1);
    // The chart drew something: its canvas is not blank.
    const inked = await inkOn(page, '#traffic-chart canvas');
    expect(inked).to.be.above(1000);
    await shot(page, 'circuit', true);
  });

  it('finds a circuit by its carrier number and a county by name', async () => {
    const circuit = product.topology.circuit('HY-D-GAJ');
    await page.fill('#search', circuit.carrierCircuitId);
    await page.locator('#search-results a').first().click();
    await page.waitForSelector('body[data-ready=circuit-zh] .page[data-circuit="HY-D-GAJ"]');
    const county = product.topology.sites.find((s) => s.level === 'county')!;
    await page.fill('#search', county.name.zh);
    await page.press('#search', 'Enter');
    await page.waitForSelector(`body[data-ready=site-zh] .page[data-site="${county.id}"]`);
    // The county view: its uplink and every department circuit behind it.
    const expected = product.topology.circuits
      .filter((c) => c.ownerSiteId === county.id || product.topology.site(c.ownerSiteId).parentId === county.id)
      .map((c) => c.id);
    const shown = await page.locator('tr[data-circuit]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.circuit));
    expect(shown).to.include.members(expected);
    await shot(page, 'county', true);
  });

  it("shows a device's hostile ifAlias as text, never as markup", async () => {
    const device = product.topology.devices.filter((d) => d.managed)[5]!;
    await page.goto(`${product.console.url}/#/site/${device.siteId}`);
    await page.waitForSelector('body[data-ready=site-zh]');
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.locator(`tr[data-device="${device.id}"] .inventory-toggle`).click();
    await page.waitForSelector(`[data-inventory="${device.id}"][data-loaded=true]`, { timeout: 15_000 });
    const aliases = await page.locator(`[data-inventory="${device.id}"] .if-alias`).allTextContents();
    expect(aliases).to.include(HOSTILE_ALIAS);
    expect(await page.locator(`[data-inventory="${device.id}"] img, [data-inventory="${device.id}"] script`).count()).to.equal(0);
    expect(dialogs).to.equal(0);
    await shot(page, 'device-interfaces', true);
  });

  it("charts a device's CPU, memory, response time and reachability in the county view and on its page, as InfluxDB holds them", async () => {
    const device = product.topology.devices.filter((d) => d.managed)[5]!;
    await page.goto(`${product.console.url}/#/site/${device.siteId}`);
    await page.waitForSelector('body[data-ready=site-zh]');
    await page.locator(`tr[data-device="${device.id}"] .charts-toggle`).click();
    const charts = `[data-device-charts="${device.id}"]`;
    await page.waitForSelector(`${charts}[data-loaded="24h"]`, { timeout: 15_000 });
    // The last hour, in 10-second steps: as many as InfluxDB has for the device (one more may have begun since).
    let shown = 0;
    await waitFor(
      'the device charts drawn',
      async () => {
        await page.click(`${charts} button[data-range="1h"]`);
        await page.waitForSelector(`${charts}[data-loaded="1h"]`);
        shown = Number(await page.locator(`${charts} [data-chart=cpu]`).getAttribute('data-points'));
        return shown >= 2;
      },
      40_000,
    );
    const steps = await httpQuery(
      product.store.embedded!.url,
      `SELECT mean(response_ms) FROM device_health WHERE device = '${device.id}' AND time > now() - 1h GROUP BY time(10s) fill(none)`,
      'nms',
    );
    expect(steps.length - shown).to.be.within(0, 1);
    for (const chart of ['cpu', 'memory', 'response', 'reachability'])
      expect(Number(await page.locator(`${charts} [data-chart=${chart}]`).getAttribute('data-points')), chart).to.equal(shown);
    await shot(page, 'county-device-charts', true);

    await page.locator(`tr[data-device="${device.id}"] a[href^="#/device/"]`).click();
    await page.waitForSelector(`body[data-ready=device-zh] .page[data-device="${device.id}"]`);
    expect(await page.locator('#device-status').textContent()).to.match(/^可达 · .*响应时间 \d+ ms/);
    await page.waitForSelector(`${charts}[data-loaded="24h"]`, { timeout: 15_000 });
    const inked = await inkOn(page, `${charts} [data-chart=response] canvas`);
    expect(inked, 'the response time chart has ink').to.be.above(1000);
    const circuits = await page.locator('.page.device dd a[href^="#/circuit/"]').allTextContents();
    expect(circuits).to.include.members(product.topology.circuits.filter((c) => c.a.deviceId === device.id).map((c) => c.id));
    await shot(page, 'device', true);
  });

  it('lets an operator enter a maintenance window that the alarm engine then honours', async () => {
    await page.click('#nav-maintenance');
    await page.waitForSelector('body[data-ready=maintenance-zh]');
    await page.fill('#maintenance-form input[name=subjects]', 'HY-D-CZJ');
    await page.fill('#maintenance-form input[name=reason]', '联通割接');
    await page.click('#maintenance-form button[type=submit]');
    await page.waitForSelector('tr[data-source=console]');
    product.simulation!.simulator.inject({ fault: 'link-down', circuit: 'HY-D-CZJ' });
    await waitFor('the alarm', async () => product.alarms.engine.active().some((a) => a.subject.id === 'HY-D-CZJ'), 20_000);
    expect(product.alarms.engine.active().find((a) => a.subject.id === 'HY-D-CZJ')!.maintenance).to.equal(true);
    product.simulation!.simulator.inject({ fault: 'link-up', circuit: 'HY-D-CZJ' });
    await shot(page, 'maintenance');
  });

  it('does not let a viewer acknowledge, from the page or by hand', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const p = await viewer.newPage();
    try {
      await logIn(p, 'viewer');
      await p.click('#nav-alarms');
      await p.waitForSelector('body[data-ready=alarms-zh]');
      await p.waitForSelector('tr[data-alarm]');
      expect(await p.locator('button.ack, button.shelve').count()).to.equal(0);
      expect(await p.locator('#maintenance-form').count()).to.equal(0);
      expect(await p.locator('#nav-admin').count()).to.equal(0);
      // Forged from the viewer's own page, with its own session and CSRF token: the server says no.
      const id = (await p.locator('tr[data-alarm]').first().getAttribute('data-alarm'))!;
      const status = await p.evaluate(async (alarmId) => {
        const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
        const r = await fetch(`/api/alarms/${encodeURIComponent(alarmId)}/ack`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
          body: '{}',
        });
        return r.status;
      }, id);
      expect(status).to.equal(403);
      await shot(p, 'alarms-viewer');
    } finally {
      await viewer.close();
    }
  });

  it('gives an admin the users and the configuration, without a secret', async () => {
    const admin = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const p = await admin.newPage();
    p.on(
      'response',
      (r) =>
        void r.text().then(
          (t) => seen.push(t),
          () => undefined,
        ),
    );
    try {
      await logIn(p, 'admin');
      await p.click('#nav-admin');
      await p.waitForSelector('body[data-ready=admin-zh]');
      await p.waitForSelector('tr[data-user]');
      expect(await p.locator('tr[data-user]').count()).to.equal(product.console.demoLogins.length);
      await waitFor('the configuration', async () => ((await p.locator('#config-summary').textContent()) ?? '').length > 10, 10_000);
      await shot(p, 'admin', true);
    } finally {
      await admin.close();
    }
  });

  it('runs a wall screen with no header and the active alarms', async () => {
    await page.goto(`${product.console.url}/#/wall`);
    await page.waitForSelector('body[data-ready=wall-zh]');
    expect(await page.locator('header').isVisible()).to.equal(false);
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).to.equal(true);
    await shot(page, 'wall');
  });

  it('makes a day report for a county in the console, shown as its page and offered as XLSX', async () => {
    await page.goto(`${product.console.url}/#/reports`);
    await page.waitForSelector('body[data-ready=reports-zh]');
    await page.selectOption('#report-kind', 'day');
    const county = product.topology.sites.find((s) => s.level === 'county')!;
    await page.selectOption('#report-scope', `county:${county.id}`);
    await page.click('#report-form button[type=submit]');
    await page.waitForSelector('#report-frame[data-loaded=true]', { timeout: 30_000 });
    const frame = page.frameLocator('#report-frame');
    expect(await frame.locator('h1').textContent()).to.contain('带宽与 SLA 报表');
    const uplink = product.topology.circuits.find((c) => c.ownerSiteId === county.id)!;
    expect(await frame.locator('body').textContent()).to.contain(uplink.carrierCircuitId);
    const xlsx = await page.request.get(`${product.console.url}${(await page.locator('#report-downloads a[data-format=xlsx]').getAttribute('href'))!}`);
    expect(xlsx.status()).to.equal(200);
    expect(xlsx.headers()['content-type']).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((await xlsx.body()).subarray(0, 2).toString()).to.equal('PK');
    await shot(page, 'report', true);
    // A range that ends before it starts: the page says so, naming the parameter.
    await page.selectOption('#report-kind', 'range');
    await page.fill('#report-from', '2026-10-10');
    await page.fill('#report-to', '2026-10-01');
    await page.click('#report-form button[type=submit]');
    await waitFor('the refusal', async () => ((await page.locator('#report-message').textContent()) ?? '').includes('query.period'), 10_000);
  });

  it('spreads the sites below the city over columns, not one stack of labels', async () => {
    const city = product.topology.sites.find((s) => s.level === 'city')!;
    const below = product.topology.sites.filter((s) => s.parentId === city.id).length;
    expect(below, 'a city with many sites below it').to.be.above(40);
    await page.goto(`${product.console.url}/#/site/${city.id}`);
    await page.waitForSelector('body[data-ready=site-zh]');
    expect(Number(await page.locator('#site-map').getAttribute('data-tallest'))).to.be.at.most(16);
    expect(Number(await page.locator('#site-map').getAttribute('data-columns'))).to.be.at.least(2 + Math.ceil(below / 16));
    await page.waitForTimeout(500);
    await shot(page, 'city');
  });

  it('switches to English', async () => {
    await page.goto(`${product.console.url}/#/overview`);
    await page.waitForSelector('body[data-ready=overview-zh]');
    await page.click('#lang');
    await page.waitForSelector('body[data-ready=overview-en]');
    expect(await page.locator('#kpi-up').textContent()).to.match(/^Circuits up \d+$/);
    expect(await page.locator('header h1').textContent()).to.equal(product.topology.network.name.en);
    await shot(page, 'overview-en');
  });

  it('loads the new model by itself when nms reload takes a circuit out, still logged in, on the same view', async () => {
    const shown = await page.locator('tr[data-circuit]').count();
    const doc = parse(await readFile(join(dir.path, 'topology.yaml'), 'utf8')) as {
      devices: Array<{ id: string }>;
      circuits: Array<{ id: string; a: { device: string }; z: { device?: string } }>;
    };
    const ends = doc.circuits.flatMap((c) => [c.a.device, c.z.device]);
    const leaf = doc.circuits.find((c) => c.z.device && ends.filter((e) => e === c.z.device).length === 1 && c.id !== 'HY-HSX')!;
    doc.circuits = doc.circuits.filter((c) => c !== leaf);
    doc.devices = doc.devices.filter((d) => d.id !== leaf.z.device);
    await writeFile(join(dir.path, 'topology.yaml'), stringify(doc));
    await page.evaluate(() => ((window as unknown as { beforeReload: boolean }).beforeReload = true));
    const result = await product.reload();
    expect(result.outcome, result.problems.join('\n')).to.equal('applied');
    expect(result.circuits.removed).to.deep.equal([leaf.id]);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-circuit]').length === n, shown - 1, { timeout: 10_000 });
    // A page loaded again (the flag set above is gone), not one patched in place, and no login asked for.
    expect(await page.evaluate(() => (window as unknown as { beforeReload?: boolean }).beforeReload ?? false)).to.equal(false);
    await page.waitForSelector('body[data-ready=overview-en]');
    expect(await page.locator(`tr[data-circuit="${leaf.id}"]`).count()).to.equal(0);
    expect(await page.locator('#login').count()).to.equal(0);
  });

  it('never sent a community or a v3 key to any page', async () => {
    // Every credential the network runs on: those given in the environment and those the demo generated.
    const generated = Object.values(parse(await readFile(join(dir.path, DEMO_SECRETS_FILE), 'utf8')) as Record<string, string>);
    const secrets = [...Object.values(TEST_ENV), ...generated];
    expect(secrets.length).to.be.above(5);
    expect(seen.length).to.be.above(20);
    for (const secret of secrets) for (const body of seen) expect(body).not.to.contain(secret);
  });
  it('covers the wall with the age of its data when the pollers stop, though the server still answers', async () => {
    // Last: nothing is polled after this. The page is in English since the test above.
    await page.goto(`${product.console.url}/#/wall`);
    await page.waitForSelector('body[data-ready=wall-en]');
    expect(await page.locator('#wall-stale').isVisible()).to.equal(false);
    const stoppedAt = Date.now();
    await product.collector.stop();
    // Polled every second: stale past 1.5 s, shown within two intervals and the page's one-second tick.
    await page.waitForSelector('#wall-stale', { state: 'visible', timeout: 4000 });
    expect(Date.now() - stoppedAt).to.be.below(4000);
    expect(await page.locator('#wall-stale .stale-why').textContent()).to.equal('No new data from the pollers: this is not the current state');
    expect(await page.locator('#wall-stale .stale-age').textContent()).to.match(/^Data stale for \d+ s$/);
    await shot(page, 'wall-stale-pollers');
  });
});
