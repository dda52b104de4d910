/**
 * The browser console's page and script. The TypeScript in web/src is
 * bundled with esbuild (the bundler tsx already uses) once at start-up, in
 * memory: no build step, and nothing generated in the repository.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface WebAssets {
  html: string;
  js: string;
}

/** @throws Error naming the file when the console's TypeScript does not build. */
export async function buildWebAssets(): Promise<WebAssets> {
  const out = await build({
    entryPoints: [resolve(import.meta.dirname, '../../web/src/main.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).catch((err: Error) => {
    throw new Error(`console: building web/src: ${err.message.split('\n')[0]}`, { cause: err });
  });
  const style = await readFile(resolve(import.meta.dirname, '../../web/src/style.css'), 'utf8');
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>NMS</title><style>${style}</style></head><body><div id="app"></div><script type="module" src="/app.js"></script></body></html>`;
  return { html, js: out.outputFiles[0]!.text };
}
