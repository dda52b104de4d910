/**
 * Whole-file replacement that a crash cannot leave half written: the new
 * text goes to a temporary file, is flushed to disk, and is renamed over the
 * old one. A reader sees either the old file or the new one.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

export function writeFileAtomicSync(path: string, content: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    // A temporary file left by a crash keeps its old mode; a secret file must not be wider.
    fchmodSync(fd, mode);
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
