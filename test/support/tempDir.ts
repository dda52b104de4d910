import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the system temp dir, and a way to remove it. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `nms-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs `fn` with a fresh folder, and removes the folder however `fn` ends. */
export async function inTempDir<T>(prefix: string, fn: (dir: { path: string }) => Promise<T>): Promise<T> {
  const dir = await tempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    await dir.remove();
  }
}
