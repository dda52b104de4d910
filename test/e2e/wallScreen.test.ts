/// <reference lib="dom" />
/**
 * The wall screen as a NOC trusts it, against `nms up` as a process in
 * Debian's Chromium: opened during an outage it shows the outage at once
 * (not the last green someone else loaded), and when nms stops, three
 * connected walls do not hold the shutdown up and each covers itself with
 * how stale its data is. When nms comes back, the walls are still logged in
 * (sessions are kept on disk) and draw live data again by themselves.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../server/browser/debianChromium.ts';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { udpFreePort } from '../support/ports.ts';
import { isAlive, waitFor } from '../support/processes.ts';
import { NMS_BIN } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';

const INTERVAL_S = 4;

describe('wall screen against nms up (end to end)', function () {
  this.timeout(300_000);

  it('shows an outage that began before it was opened, goes stale, not green, when nms stops (SIGTERM with 3 walls open exits in under 5 s), and is live again, still logged in, when nms is back', async () => {
    const dir = await tempDir('wall');
    const influxPort = await freePort();
    // A fixed port: the walls reconnect to the same address when nms is back.
    const consolePort = await freePort();
    await writeFile(
      join(dir.path, 'nms.yaml'),
      [
        `topology: ${resolve('topology.yaml')}`,
        `dataDir: ${dir.path}`,
        'influx:',
        `  embeddedPort: ${influxPort}`,
        'simulator:',
        '  basePort: 0',
        '  controlPort: 0',
        '  history: 0',
        'collector:',
        `  interval: ${INTERVAL_S}s`,
        'alarms:',
        `  trapPort: ${await udpFreePort()}`,
        'console:',
        `  port: ${consolePort}`,
        '',
      ].join('\n'),
    );
    const startNms = () => {
      const child = spawn(process.execPath, [NMS_BIN, 'up'], { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
      const run = { child, out: '', exited: new Promise<number | null>((res) => child.on('exit', (code) => res(code))) };
      child.stdout.on('data', (d: Buffer) => (run.out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (run.out += d.toString()));
      return run;
    };
    let run = startNms();
    const { child, exited } = run;
    let restarted: ReturnType<typeof startNms> | null = null;
    let browser: Browser | null = null;
    try {
      await waitFor('nms up to be ready', () => run.out.includes('Press Ctrl-C to stop.'), 90_000);
      const influxPid = Number(/pid (\d+)/.exec(run.out)![1]);
      const control = /control (http:\/\/127\.0\.0\.1:\d+)/.exec(run.out)![1]!;
      const m = /console {3}(http:\/\/127\.0\.0\.1:\d+) \(demo login: noc \/ (\S+) as operator/.exec(run.out)!;
      const [consoleUrl, password] = [m[1]!, m[2]!];
      const login = await fetch(`${consoleUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'noc', password }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const live = async () =>
        (await (await fetch(`${consoleUrl}/api/live`, { headers: { cookie } })).json()) as { circuits: Array<{ circuitId: string; status: string }> };
      // Someone loads the state while everything is up: the copy a stale cache would hand out later.
      await waitFor('every circuit up', async () => (await live()).circuits.filter((c) => c.status === 'up').length === 97, 60_000);

      const fault = await fetch(`${control}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: 'link-down', circuit: 'HY-LYS' }),
      });
      expect(fault.status).to.equal(201);
      const alarms = async () =>
        (await (await fetch(`${consoleUrl}/api/alarms`, { headers: { cookie } })).json()) as { alarms: Array<{ subject: { id: string } }> };
      await waitFor('the HY-LYS alarm', async () => (await alarms()).alarms.some((a) => a.subject.id === 'HY-LYS'), 30_000);
      // No console is open, and nothing changes for a while: the case that used to show green.
      await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));

      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      await context.addCookies([{ name: 'nms_session', value: decodeURIComponent(cookie.split('=')[1]!), url: consoleUrl }]);
      const walls: Page[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await context.newPage();
        await p.goto(`${consoleUrl}/#/wall`);
        await p.waitForSelector('body[data-ready=wall-zh]');
        walls.push(p);
      }
      for (const p of walls) {
        // At once: what the first drawing shows, read with no waiting.
        expect(await p.locator('#kpi-down .value').textContent(), 'the wall counts the down uplink').to.equal('1');
        expect(Number(await p.locator('#wall-map').getAttribute('data-down')), 'and draws it red').to.be.at.least(1);
        expect(await p.locator('#wall-stale').isVisible()).to.equal(false);
      }
      await walls[0]!.screenshot({ path: resolve('test-artifacts/wall-outage.png') }).catch(() => undefined);

      const stopAt = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      const stopS = (Date.now() - stopAt) / 1000;
      expect(code).to.equal(0);
      expect(stopS, `nms stopped in ${stopS.toFixed(1)} s with 3 walls open`).to.be.below(5);
      expect(isAlive(influxPid), 'and took influxd with it').to.equal(false);

      await Promise.all(walls.map((p) => p.waitForSelector('#wall-stale', { state: 'visible', timeout: 2 * INTERVAL_S * 1000 - (Date.now() - stopAt) })));
      const staleS = (Date.now() - stopAt) / 1000;
      expect(staleS, 'stale within 2 intervals').to.be.below(2 * INTERVAL_S);
      const text = await walls[0]!.locator('#wall-stale').textContent();
      expect(text).to.match(/数据已过期 \d+ 秒/);
      expect(text).to.contain('连接已断开');
      await walls[0]!.screenshot({ path: resolve('test-artifacts/wall-stale.png') }).catch(() => undefined);

      // nms back on the same data folder: the walls' sessions are still good, and they reconnect by themselves.
      const backAt = Date.now();
      run = restarted = startNms();
      await waitFor('nms up to be ready again', () => run.out.includes('Press Ctrl-C to stop.'), 90_000);
      await Promise.all(walls.map((p) => p.waitForSelector('#wall-stale', { state: 'hidden', timeout: 60_000 })));
      const backS = (Date.now() - backAt) / 1000;
      for (const p of walls) {
        expect(await p.locator('#login').count(), 'no login form').to.equal(0);
        expect(await p.evaluate(() => document.body.dataset.ready)).to.equal('wall-zh');
      }
      expect((await fetch(`${consoleUrl}/api/session`, { headers: { cookie } })).status, 'the session from before the restart').to.equal(200);
      await waitFor(
        'the walls to count live circuits',
        async () => (await Promise.all(walls.map(async (p) => Number(await p.locator('#kpi-up .value').textContent())))).every((n) => n > 0),
        60_000,
      );
      console.log(
        `      (SIGTERM to exit ${stopS.toFixed(1)} s; walls stale after ${staleS.toFixed(1)} s; live again ${backS.toFixed(1)} s after the restart began; interval ${INTERVAL_S} s)`,
      );
    } finally {
      await browser?.close();
      if (child.exitCode === null) child.kill('SIGKILL');
      if (restarted && restarted.child.exitCode === null) {
        restarted.child.kill('SIGTERM');
        await restarted.exited;
      }
      await dir.remove();
    }
  });
});
