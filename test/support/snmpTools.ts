/**
 * Debian's Net-SNMP command-line tools (snmpget, snmpbulkwalk, snmptrapd),
 * the independent peer the simulator is checked against. Output is numeric
 * (-On) with no MIB files loaded (Debian ships none), parsed into OID → value.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from './processes.ts';
import { tempDir } from './tempDir.ts';

export type SnmpAuth =
  | { version: '1' | '2c'; community: string }
  | { version: '3'; user: string; authKey: string; privKey: string; authProtocol?: string; privProtocol?: string };

export function authArgs(a: SnmpAuth): string[] {
  if (a.version !== '3') return [`-v${a.version}`, '-c', a.community];
  return ['-v3', '-u', a.user, '-l', 'authPriv', '-a', a.authProtocol ?? 'SHA', '-A', a.authKey, '-x', a.privProtocol ?? 'AES', '-X', a.privKey];
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
  /** OID (without the leading dot) → printed value, with -Oq formatting. */
  values: Map<string, string>;
}

function run(tool: string, args: string[], timeoutMs = 20_000): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(tool, ['-m', '', '-On', '-Oq', '-Ot', '-Oe', ...args], { timeout: timeoutMs, env: { ...process.env, MIBS: '' } }, (err, stdout, stderr) => {
      const values = new Map<string, string>();
      for (const line of stdout.split(/\r?\n/)) {
        const m = /^\.?([\d.]+) (.*)$/.exec(line);
        if (m) values.set(m[1]!, m[2]!);
      }
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr, values });
    });
  });
}

export const snmpget = (port: number, auth: SnmpAuth, oids: string[], timeoutS = 2) =>
  run('snmpget', [...authArgs(auth), '-t', String(timeoutS), '-r', '0', `127.0.0.1:${port}`, ...oids]);

export const snmpbulkwalk = (port: number, auth: SnmpAuth, oid: string, timeoutS = 2) =>
  run('snmpbulkwalk', [...authArgs(auth), '-t', String(timeoutS), '-r', '0', `127.0.0.1:${port}`, oid]);

export const snmpwalk = (port: number, auth: SnmpAuth, oid: string, timeoutS = 2) =>
  run('snmpwalk', [...authArgs(auth), '-t', String(timeoutS), '-r', '0', `127.0.0.1:${port}`, oid]);

export const snmpset = (port: number, auth: SnmpAuth, oid: string, type: string, value: string) =>
  run('snmpset', [...authArgs(auth), '-t', '2', '-r', '0', `127.0.0.1:${port}`, oid, type, value]);

/** A counter or integer value as printed with -Oq. */
export const num = (v: string | undefined): number => {
  if (v === undefined) throw new Error('no value');
  return Number(v);
};

export interface TrapReceiver {
  port: number;
  /** The notifications received so far: each a map of OID → value. */
  traps(): Promise<Array<Map<string, string>>>;
  stop(): Promise<void>;
}

/**
 * Debian's snmptrapd on a loopback port, logging to a file; knows the given
 * v3 users (with each sender's engine ID) and accepts any community.
 */
export async function startSnmptrapd(
  dir: string,
  port: number,
  users: Array<{ engineId: string; user: string; authKey: string; privKey: string }>,
): Promise<TrapReceiver> {
  const conf = join(dir, 'snmptrapd.conf');
  const log = join(dir, 'traps.log');
  await writeFile(
    conf,
    `${[
      ...users.map((u) => `createUser -e 0x${u.engineId} ${u.user} SHA "${u.authKey}" AES "${u.privKey}"`),
      ...[...new Set(users.map((u) => u.user))].map((u) => `authUser log ${u}`),
      'authCommunity log,execute,net public',
      'disableAuthorization yes',
    ].join('\n')}\n`,
  );
  await writeFile(log, '');
  const child: ChildProcess = spawn(
    'snmptrapd',
    ['-f', '-m', '', '-On', '-C', '-c', conf, '-Lf', log, `--persistentDir=${join(dir, 'persist')}`, `udp:127.0.0.1:${port}`],
    { stdio: 'ignore', env: { ...process.env, MIBS: '' } },
  );
  await waitFor('snmptrapd to start', async () => (await readFile(log, 'utf8')).includes('NET-SNMP version'), 10_000);
  return {
    port,
    async traps() {
      const text = await readFile(log, 'utf8');
      return text
        .split('\n')
        .filter((l) => l.startsWith('.') || l.includes('\t.'))
        .map(
          (line) =>
            new Map(
              line
                .split('\t')
                .map((part) => /^\.?([\d.]+) = \w[\w ]*: (.*)$/.exec(part.trim()))
                .filter((m): m is RegExpExecArray => m !== null)
                .map((m) => [m[1]!, m[2]!] as const),
            ),
        );
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface SnmpdAgent {
  port: number;
  stop(): Promise<void>;
}

/**
 * Debian's snmpd on a random loopback port with the given snmpd.conf lines,
 * in a temporary folder of its own; resolves once it answers `community`.
 */
export async function startSnmpd(name: string, confLines: string[], community: string): Promise<SnmpdAgent> {
  const dir = await tempDir(name);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const conf = join(dir.path, 'snmpd.conf');
  await writeFile(conf, `${confLines.join('\n')}\n`);
  const snmpd = spawn('snmpd', ['-f', '-Ln', '-C', '-c', conf, `udp:127.0.0.1:${port}`], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir.path, 'persist'), MIBS: '' },
    stdio: 'ignore',
  });
  const stop = async () => {
    if (snmpd.exitCode === null && snmpd.signalCode === null) {
      const exited = new Promise((r) => snmpd.once('exit', r));
      snmpd.kill('SIGTERM');
      await exited;
    }
    await dir.remove();
  };
  try {
    await waitFor('snmpd to answer', async () => (await snmpget(port, { version: '2c', community }, ['1.3.6.1.2.1.1.5.0'], 1)).code === 0, 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}
