/**
 * The managed InfluxDB: Debian's `influxd` (1.x), started and supervised by the
 * product when no InfluxDB URL is configured. It listens on loopback only,
 * keeps its data in the project's own data folder, restarts with backoff if it
 * dies, and stops cleanly (SIGTERM, so the WAL is flushed) with the product.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import type { Logger } from '../../shared/log.ts';

export const INFLUXD_INSTALL_HINT =
  'install Debian\'s InfluxDB 1.x with "apt-get install influxdb" (npm start does this for you), ' +
  'or set influx.url in nms.yaml to use an InfluxDB server you already run';

export interface EmbeddedInfluxOptions {
  /** Folder for data, WAL, config, log and pid file. */
  dir: string;
  /** HTTP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The influxd binary; found on PATH when not absolute. */
  binary?: string;
  log: Logger;
  /** How long to wait for /ping after a start. */
  startTimeoutMs?: number;
}

const PING_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 15_000;
const MAX_BACKOFF_MS = 30_000;

export class EmbeddedInflux {
  #child: ChildProcess | null = null;
  #port = 0;
  #stopping = false;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | null = null;
  #logStream: WriteStream | null = null;
  readonly #dir: string;

  constructor(private readonly options: EmbeddedInfluxOptions) {
    this.#dir = resolve(options.dir);
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How many times the supervisor has restarted influxd after it died. */
  get restarts(): number {
    return this.#restarts;
  }

  get logFile(): string {
    return join(this.#dir, 'influxd.log');
  }

  private get pidFile(): string {
    return join(this.#dir, 'influxd.pid');
  }

  /**
   * Starts influxd and waits until it answers.
   * @throws Error when influxd is missing, the folder is in use by another
   *   influxd, the port is taken, or it does not come up (with its last log lines).
   */
  async start(): Promise<void> {
    const binary = await findBinary(this.options.binary ?? 'influxd');
    await mkdir(this.#dir, { recursive: true });
    await this.refuseIfRunning();
    // A restarted instance keeps its address, so clients need not be told of a new one.
    this.#port ||= this.options.port === 0 ? await freePort() : this.options.port;
    await assertPortFree(this.#port);
    const rpcPort = await freePort();
    const configFile = join(this.#dir, 'influxd.conf');
    await writeFile(configFile, influxdConfig(this.#dir, this.#port, rpcPort));
    this.#stopping = false;
    try {
      await this.spawnAndWait(binary, configFile);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async spawnAndWait(binary: string, configFile: string): Promise<void> {
    this.#logStream ??= createWriteStream(this.logFile, { flags: 'a' });
    // Its own process group: a Ctrl-C at the terminal reaches nms, which flushes the writer and then stops influxd in order.
    const child = spawn(binary, ['run', '-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    child.stdout!.pipe(this.#logStream, { end: false });
    child.stderr!.pipe(this.#logStream, { end: false });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.once('error', (err) => this.options.log.error(`influxd: ${err.message}`));
    // influxd's pid and ours: while we live we are its parent; once it has another, it is an orphan.
    if (child.pid !== undefined) await writeFile(this.pidFile, `${child.pid} ${process.pid}\n`);

    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30_000);
    for (;;) {
      if (await ping(this.url)) break;
      const code = await Promise.race([exited, sleep(PING_INTERVAL_MS).then(() => undefined)]);
      if (code !== undefined) {
        throw new Error(`influxd exited with code ${code} before it was ready; last log lines:\n${await this.logTail()}`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`influxd did not answer on ${this.url} within ${(this.options.startTimeoutMs ?? 30_000) / 1000} s; see ${this.logFile}`);
      }
    }
    this.options.log.info(`influxd ${child.pid} ready on ${this.url}, data in ${this.#dir}`);
    void exited.then((code) => this.onExit(child, code, binary, configFile));
  }

  private onExit(child: ChildProcess, code: number | null, binary: string, configFile: string): void {
    if (this.#stopping || this.#child !== child) return;
    const delay = Math.min(1000 * 2 ** Math.min(this.#restarts, 5), MAX_BACKOFF_MS);
    this.options.log.error(`influxd ${child.pid} exited unexpectedly (code ${code}); restarting in ${delay / 1000} s`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      this.#restarts++;
      this.spawnAndWait(binary, configFile).catch((err: Error) => {
        this.options.log.error(`restarting influxd: ${err.message}`);
        this.onExit(this.#child!, null, binary, configFile);
      });
    }, delay);
  }

  /** Stops influxd: SIGTERM so it flushes, SIGKILL if it has not exited in 15 s. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      this.options.log.info(`influxd ${child.pid} stopped`);
    }
    await rm(this.pidFile, { force: true });
    await new Promise<void>((res) => (this.#logStream ? this.#logStream.end(res) : res()));
    this.#logStream = null;
  }

  /**
   * A second influxd on the same folder would corrupt it. One that an nms
   * still runs is refused, naming its pid. One whose nms is gone (kill -9,
   * the OOM killer, a power cut of the nms process alone) is an orphan of
   * this very folder: it is stopped cleanly (SIGTERM, so it flushes) and a
   * new one started, so a crash never waits for a person.
   */
  private async refuseIfRunning(): Promise<void> {
    let pid: number;
    let owner: number;
    try {
      [pid, owner] = (await readFile(this.pidFile, 'utf8')).trim().split(/\s+/).map(Number) as [number, number];
    } catch {
      return;
    }
    if (Number.isInteger(pid) && pid > 0 && (await isInfluxd(pid))) {
      const ours = (await commandLine(pid)).includes(join(this.#dir, 'influxd.conf'));
      // Its starter still its parent (or unknown, from an older pid file): someone runs it. Refuse.
      const orphaned = Number.isInteger(owner) && owner > 0 && (await parentPid(pid)) !== owner;
      if (!ours || !orphaned) throw new Error(`an influxd (pid ${pid}) already runs on ${this.#dir}; stop that one first (kill ${pid})`);
      this.options.log.warn(
        `influxd ${pid} on ${this.#dir} was left running by an nms that is gone (killed, or out of memory); stopping it before starting a new one`,
      );
      await stopOrphan(pid);
    }
    await rm(this.pidFile, { force: true });
  }

  private async logTail(lines = 15): Promise<string> {
    try {
      return (await readFile(this.logFile, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** influxd.conf for 1.x: every listener on loopback, nothing phoning home. */
function influxdConfig(dir: string, httpPort: number, rpcPort: number): string {
  return `# Written by nms on each start; edits here are overwritten.
reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${toml(join(dir, 'meta'))}
  retention-autocreate = false
  logging-enabled = false

[data]
  dir = ${toml(join(dir, 'data'))}
  wal-dir = ${toml(join(dir, 'wal'))}
  index-version = "tsi1"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = true
  log-enabled = false
`;
}

/** A TOML basic string; JSON's escaping is a subset TOML accepts. */
const toml = (s: string) => JSON.stringify(s);

async function findBinary(name: string): Promise<string> {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // try the next folder on PATH
    }
  }
  throw new Error(`${name} not found: ${INFLUXD_INSTALL_HINT}`);
}

async function commandLine(pid: number): Promise<string[]> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The parent's pid from /proc/PID/stat (after the command name, which may hold spaces). */
async function parentPid(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** SIGTERM so it flushes its WAL, SIGKILL if it has not gone in STOP_TIMEOUT_MS. */
async function stopOrphan(pid: number): Promise<void> {
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!(await isInfluxd(pid))) return true;
      await sleep(100);
    }
    return false;
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await gone(STOP_TIMEOUT_MS)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await gone(5_000);
}

async function isInfluxd(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('influxd');
  } catch {
    return false;
  }
}

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.status === 204;
  } catch {
    return false;
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      rej(new Error(`port 127.0.0.1:${port} for the managed InfluxDB is taken (${err.code}); set influx.embeddedPort in nms.yaml`)),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => res()));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
