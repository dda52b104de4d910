/**
 * Where a running `nms up` (role all) says it is: a pid file in its data
 * folder, written once it is up and removed as it stops, so `nms reload`
 * signals that process and no other.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NMS_PID_FILE } from '../shared/config/defaults.ts';

interface PidRecord {
  pid: number;
  startedAtMs: number;
}

/** Writes the pid file; returns how to remove it (only while it is still this process's). */
export function announceProcess(dataDir: string): () => void {
  const file = join(dataDir, NMS_PID_FILE);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, startedAtMs: Date.now() } satisfies PidRecord)}\n`);
  return () => {
    if (readPid(dataDir) === process.pid) rmSync(file, { force: true });
  };
}

/**
 * The pid of the nms running on this data folder.
 * @throws Error saying why none can be signalled: no file, a bad one, or a process that is gone or is not nms.
 */
export function runningNms(dataDir: string): number {
  const file = join(dataDir, NMS_PID_FILE);
  const pid = readPid(dataDir);
  if (pid === null) throw new Error(`no nms up is running on ${dataDir} (${file} is missing or unreadable)`);
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    throw new Error(`${file} names process ${pid}, which is not running: nms up ended without removing it`);
  }
  // A pid is reused once its process is gone: only an nms up is signalled.
  if (!/\bnms(\.js)?\b.*\bup\b/.test(cmdline)) throw new Error(`${file} names process ${pid}, which is not nms up ("${cmdline.trim().slice(0, 80)}")`);
  return pid;
}

function readPid(dataDir: string): number | null {
  try {
    const r = JSON.parse(readFileSync(join(dataDir, NMS_PID_FILE), 'utf8')) as Partial<PidRecord>;
    return typeof r.pid === 'number' && Number.isInteger(r.pid) && r.pid > 0 ? r.pid : null;
  } catch {
    return null;
  }
}
