/**
 * Who changed what, when, from where: every login and every mutation through
 * the console, appended to an fsynced JSON-lines file under the data folder.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonLines } from '../storage/jsonLines.ts';

export interface AuditEntry {
  atMs: number;
  user: string;
  action: string;
  target: string | null;
  ip: string;
}

export class AuditLog {
  readonly #fd: number;

  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true });
    this.#fd = openSync(join(dir, 'audit.jsonl'), 'a');
  }

  record(e: Omit<AuditEntry, 'atMs'>): void {
    appendJsonLines(this.#fd, [{ atMs: this.now(), ...e }]);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
