/**
 * The browser console's page and script. The TypeScript in web/src is
 * bundled with esbuild (the bundler tsx already uses) once at start-up, in
 * memory: no build step, and nothing generated in the repository.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';

export interface WebAssets {
  html: string;
  js: string;
}

const STYLE = `
body{margin:0;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#0f1720;color:#e8eaed}
header{display:flex;gap:1em;align-items:center;padding:.5em 1em;background:#16212c}
header h1{font-size:1.2em;margin:0;flex:1}
#kpi{display:flex;gap:1em;padding:1em}.tile{background:#1d2b38;padding:.8em 1.2em;border-radius:6px;font-size:1.1em}
#map{height:60vh;margin:0 1em;background:#111b24}
table{border-collapse:collapse;margin:1em;font-size:.9em}td,th{padding:.2em .6em;border-bottom:1px solid #2a3a48;text-align:left}
tr[data-status=down] .status{color:#ff6b5e;font-weight:bold}tr[data-status=up] .status{color:#5fd383}
form#login{max-width:20em;margin:15vh auto;display:flex;flex-direction:column;gap:.6em}.error{color:#ff6b5e}
`;

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
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>NMS</title><style>${STYLE}</style></head><body><div id="app"></div><script type="module" src="/app.js"></script></body></html>`;
  return { html, js: out.outputFiles[0]!.text };
}
