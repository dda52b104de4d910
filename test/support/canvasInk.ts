/// <reference lib="dom" />
import type { Page } from 'playwright-core';

/** How many pixels of a chart's canvas are drawn on: a chart that drew nothing has none. */
export const inkOn = (p: Page, selector: string): Promise<number> =>
  p
    .locator(selector)
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
      return n;
    });
