/**
 * Append-only JSON-lines files, flushed to disk before append returns: the
 * durable form of the alarm journal and the outage ledger. Reading back
 * tolerates a last line cut short by a crash (it was never acted on).
 */
import { fsyncSync, readFileSync, writeSync } from 'node:fs';
import type { Logger } from '../../shared/log.ts';

/** Writes records as lines and fsyncs; call it before acting on them. */
export function appendJsonLines(fd: number, records: readonly unknown[]): void {
  if (records.length === 0) return;
  writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  fsyncSync(fd);
}

/**
 * Hands every record of `file` to `apply`, in order; a missing file has none.
 * @returns how many records were read.
 * @throws Error naming the file when it exists but cannot be read.
 */
export function readJsonLines<T>(file: string, what: string, log: Logger, apply: (record: T) => void): number {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new Error(`${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split('\n');
  let read = 0;
  lines.forEach((line, i) => {
    if (!line) return;
    try {
      apply(JSON.parse(line) as T);
      read++;
    } catch {
      if (i >= lines.length - 2) log.warn(`${what}: ignoring an incomplete last line (${line.length} bytes), cut short by a crash`);
      else log.error(`${what} ${file}:${i + 1}: not valid JSON; skipped`);
    }
  });
  return read;
}
