/**
 * The overview page at province scale (issue 6's target: interactive in
 * ≤ 1.5 s with 1,100 circuits, in headless Chromium). A generated province
 * (14 cities, 119 counties, 1,099 circuits, 1,100 devices) is served by the
 * real console server; Debian's Chromium opens the overview with a fresh
 * cache each run, logged in by cookie.
 *
 * Measured in the page: when the overview was drawn (the page's own
 * performance mark), and when it became interactive: the end of the last
 * long task (> 50 ms, from Chromium's Long Tasks API) after which the main
 * thread stayed free for 2 s. Beside it, the floor on the same run: the login
 * page, the same script bundle with no data to draw.
 *
 *   npx tsx bench/consoleOverview.ts [--runs 5] [--cities 14]
 *
 * Everything on loopback; the browser and server stop by themselves.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../server/browser/debianChromium.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { startBenchConsole } from './benchConsole.ts';
import { provinceYaml } from './generatedNetwork.ts';
import { numberArg } from './benchArgs.ts';

const arg = numberArg;
const RUNS = arg('runs', 5);
const CITIES = arg('cities', 14);
const QUIET_MS = 2000;
/** To look at: the province as the first run drew it. */
const SCREENSHOT = resolve('test-artifacts', 'overview-province.png');

/** Collects long tasks from the first moment of the document. */
const LONG_TASKS = `window.__longTasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });`;

async function openOnce(
  browser: Browser,
  url: string,
  cookie: string | null,
  ready: string,
  screenshot?: string,
): Promise<{ drawnMs: number; interactiveMs: number; longTasks: number }> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    if (cookie) {
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url }]);
    }
    await context.addInitScript(LONG_TASKS);
    const page = await context.newPage();
    await page.goto(`${url}/#/overview`);
    await page.waitForSelector(`body[data-ready=${ready}]`, { timeout: 30_000 });
    await page.waitForTimeout(QUIET_MS + 500);
    if (screenshot) await page.screenshot({ path: screenshot });
    return await page.evaluate(
      ([mark, quiet]) => {
        const drawn = performance.getEntriesByName(mark as string)[0]!.startTime;
        const tasks = (window as unknown as { __longTasks: Array<[number, number]> }).__longTasks;
        // Interactive: after the page was drawn, the end of the last long task followed by a quiet window.
        let interactive = drawn;
        for (const [start, duration] of tasks) if (start < interactive + (quiet as number) && start + duration > interactive) interactive = start + duration;
        return { drawnMs: drawn, interactiveMs: interactive, longTasks: tasks.length };
      },
      [`nms:ready:${ready.replace(/-zh$/, '')}`, QUIET_MS] as const,
    );
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const topology = parseTopology(provinceYaml(CITIES), 'generated-province.yaml');
  const server = await startBenchConsole(topology, { web: true, downEvery: 37 });
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  const browser = await launchChromium();
  try {
    const overview = [];
    const floor = [];
    for (let i = 0; i < RUNS; i++) {
      overview.push(await openOnce(browser, server.url, server.cookie, 'overview-zh', i === 0 ? SCREENSHOT : undefined));
      floor.push(await openOnce(browser, server.url, null, 'login'));
    }
    const f = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    console.log(
      `Overview in headless Chromium, ${topology.circuits.length} circuits, ${topology.sites.length} sites, ${topology.devices.length} devices; ${RUNS} runs, fresh cache each:`,
    );
    console.log(`  drawn:       ${f(overview.map((r) => r.drawnMs))}`);
    console.log(`  interactive: ${f(overview.map((r) => r.interactiveMs))} (target ≤ 1500); long tasks per load: ${median(overview.map((r) => r.longTasks))}`);
    console.log(`  floor, the login page (same bundle, no data): interactive ${f(floor.map((r) => r.interactiveMs))}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench/consoleOverview: ${err.message}`);
  process.exitCode = 1;
});
