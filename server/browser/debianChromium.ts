/**
 * Debian's Chromium, driven by playwright-core: never a downloaded browser.
 * The report printer, the browser tests and the overview benchmark all start
 * it here, the same way.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** @throws Error saying Chromium is missing or failed, with the way to install it. */
export async function launchChromium(): Promise<Browser> {
  try {
    // As root in a container Chromium's own sandbox cannot start; the pages it opens are ours.
    return await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  } catch (err) {
    throw new Error(`cannot start ${CHROMIUM} (apt-get install chromium fonts-noto-cjk): ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}
