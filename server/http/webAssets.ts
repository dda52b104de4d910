/**
 * The browser console's page and script. The TypeScript in web/src is
 * bundled with esbuild (the bundler tsx already uses) once at start-up, in
 * memory: no build step, and nothing generated in the repository.
 *
 * The script's name carries a hash of its content, so a browser may keep it
 * for a year and still never runs an old one after an upgrade: the page
 * (never cached) names the new file. It is compressed once here, brotli and
 * gzip, because a county on a 2 Mbit/s line waits about 3 s for it raw.
 */
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface CompressedAsset {
  /** The path it is served at, hash included. */
  path: string;
  type: string;
  raw: Buffer;
  gzip: Buffer;
  brotli: Buffer;
}

export interface WebAssets {
  html: string;
  script: CompressedAsset;
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
  const script = compressedAsset('app', 'js', 'application/javascript; charset=utf-8', Buffer.from(out.outputFiles[0]!.contents));
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>NMS</title><style>${style}</style></head><body><div id="app"></div><script type="module" src="${script.path}"></script></body></html>`;
  return { html, script };
}

function compressedAsset(name: string, ext: string, type: string, raw: Buffer): CompressedAsset {
  const hash = createHash('sha256').update(raw).digest('base64url').slice(0, 12);
  return {
    path: `/assets/${name}-${hash}.${ext}`,
    type,
    raw,
    gzip: gzipSync(raw, { level: 9 }),
    // Quality 9 is within a few per cent of 11 in a tenth of the time, and this runs at every start.
    brotli: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
  };
}

/** The first of `available` (in our order of preference) that an Accept-Encoding header allows, or null for none. */
export function chooseEncoding<E extends 'br' | 'gzip'>(acceptEncoding: string | undefined, available: readonly E[]): E | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [coding = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(coding.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (c: string) => (accepted.get(c) ?? accepted.get('*') ?? 0) > 0;
  return available.find(ok) ?? null;
}
