/**
 * The report's HTML page printed to PDF by Debian's Chromium (through
 * playwright-core; never a downloaded browser). The page has no script and
 * loads nothing, so Chromium runs with the network off.
 */
import { escapeHtml } from '../../../shared/text/escapeHtml.ts';
import { launchChromium } from '../../browser/debianChromium.ts';

/** What every printed page carries, top and bottom, so a page torn from the report still says whose, which period and where it sits. */
export interface PageFrame {
  /** Left of the header: who issues it. */
  issuer: string;
  /** Right of the header: the title and period. */
  title: string;
  /** Before the page numbers in the footer, e.g. "第 {page} / {pages} 页"; {page} and {pages} are filled by Chromium. */
  pageLabel: string;
}

// Chromium draws the header and footer outside the page's own styles: sizes must be given here.
const frameStyle = 'font-family:"Noto Sans CJK SC",sans-serif;font-size:8pt;color:#555;width:100%;margin:0 12mm;display:flex;justify-content:space-between';

function frameHtml(f: PageFrame): { headerTemplate: string; footerTemplate: string } {
  const esc = (t: string) => escapeHtml(t);
  const pages = esc(f.pageLabel).replace('{page}', '<span class="pageNumber"></span>').replace('{pages}', '<span class="totalPages"></span>');
  return {
    headerTemplate: `<div style='${frameStyle}'><span>${esc(f.issuer)}</span><span>${esc(f.title)}</span></div>`,
    footerTemplate: `<div style='${frameStyle}'><span>${esc(f.title)}</span><span>${pages}</span></div>`,
  };
}

/** @throws Error saying Chromium is missing or failed, with the way to install it. */
export async function htmlToPdf(html: string, frame: PageFrame): Promise<Buffer> {
  const browser = await launchChromium().catch((err: Error) => {
    throw new Error(`PDF: ${err.message}`, { cause: err });
  });
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      landscape: true,
      printBackground: true,
      displayHeaderFooter: true,
      ...frameHtml(frame),
      margin: { top: '16mm', bottom: '16mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}
