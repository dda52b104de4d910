/**
 * Debian's nats-server with JetStream for a test: its own temp folder, a
 * free loopback port, stopped (SIGTERM, then SIGKILL) by its process id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { waitFor } from './processes.ts';
import { tempDir } from './tempDir.ts';

export class TestNatsServer {
  #child: ChildProcess | null = null;
  private constructor(
    readonly dir: { path: string; remove(): Promise<void> },
    readonly port: number,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestNatsServer> {
    const s = new TestNatsServer(await tempDir('nats'), await freePort());
    await s.run();
    return s;
  }

  /** Starts it (again), on the same port and store. */
  async run(): Promise<void> {
    const conf = join(this.dir.path, 'nats.conf');
    await writeFile(conf, `listen: 127.0.0.1:${this.port}\njetstream { store_dir: ${JSON.stringify(join(this.dir.path, 'js'))}, max_file_store: 4GB, max_memory_store: 32MB }\n`);
    this.#child = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
    await waitFor(`nats-server on ${this.port}`, () => new Promise((r) => {
      const s = tcpConnect(this.port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    }), 10_000);
  }

  /** Stops it; with `kill9`, as a crash would. */
  async halt(kill9 = false): Promise<void> {
    const c = this.#child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(kill9 ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.#child = null;
  }

  async dispose(): Promise<void> {
    await this.halt();
    await this.dir.remove();
  }
}
