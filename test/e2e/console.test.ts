/**
 * The console in Debian's Chromium (playwright-core, never a downloaded
 * browser), against the whole product with the simulated network: log in,
 * every circuit on the overview, a county uplink taken down turning red with
 * no reload, and the English switch. Screenshots go to test-artifacts/.
 */
import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { startProduct, type RunningProduct } from '../../server/runtime.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';

const ARTIFACTS = resolve('test-artifacts');

describe('console in Chromium (end to end)', function () {
  this.timeout(120_000);
  let dir: { path: string; remove(): Promise<void> };
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;

  before(async () => {
    dir = await tempDir('console');
    await mkdir(ARTIFACTS, { recursive: true });
    await writeProductConfig(dir.path);
    product = await startProduct(await loadConfig({ env: {}, cwd: dir.path }), {}, memoryLogger());
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
    await dir?.remove();
  });

  it('logs an operator in and shows every circuit of topology.yaml', async () => {
    const op = product.console.demoLogins.find((l) => l.role === 'operator')!;
    await page.goto(product.console.url);
    await page.fill('input[name=username]', op.username);
    await page.fill('input[name=password]', op.password);
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-ready=overview-zh]');
    expect(await page.locator('tr[data-circuit]').count()).to.equal(product.topology.circuits.length);
    await page.waitForFunction("document.querySelectorAll('tr[data-status=up]').length > 80", undefined, { timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
  });

  it('turns a county uplink red without a reload when it goes down', async () => {
    product.simulation!.simulator.inject({ fault: 'link-down', circuit: 'HY-HYX' });
    await page.waitForSelector('tr[data-circuit=HY-HYX][data-status=down]', { timeout: 10_000 });
    expect(await page.locator('#kpi-down').textContent()).to.match(/中断电路 [1-9]/);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-uplink-down.png'), fullPage: true });
    product.simulation!.simulator.inject({ fault: 'link-up', circuit: 'HY-HYX' });
  });

  it('switches to English', async () => {
    await page.click('#lang');
    await page.waitForSelector('body[data-ready=overview-en]');
    expect(await page.locator('#kpi-up').textContent()).to.match(/^Circuits up \d+$/);
    expect(await page.locator('header h1').textContent()).to.equal(product.topology.network.name.en);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-en.png'), fullPage: true });
  });
});
