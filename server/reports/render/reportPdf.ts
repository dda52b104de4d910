/**
 * The report's HTML page printed to PDF by Debian's Chromium (through
 * playwright-core; never a downloaded browser). The page has no script and
 * loads nothing, so Chromium runs with the network off.
 */
import { launchChromium } from '../../browser/debianChromium.ts';

/** @throws Error saying Chromium is missing or failed, with the way to install it. */
export async function htmlToPdf(html: string): Promise<Buffer> {
  const browser = await launchChromium().catch((err: Error) => {
    throw new Error(`PDF: ${err.message}`, { cause: err });
  });
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', landscape: true, printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
