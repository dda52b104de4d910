/** Runs the real `nms` entry point as a user would, and collects its output. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface NmsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const NMS_BIN = resolve('bin/nms.js');

export function runNms(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; stdin?: string } = {}): Promise<NmsRun> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [NMS_BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NMS_DEBUG: '', ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`nms ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}
