/**
 * Debian's nats-server with JetStream for a test: its own temp folder, a
 * free loopback port, stopped (SIGTERM, then SIGKILL) by its process id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { inNs } from './netns.ts';
import { stopChild, waitFor } from './processes.ts';
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
    await writeFile(
      conf,
      `listen: 127.0.0.1:${this.port}\njetstream { store_dir: ${JSON.stringify(join(this.dir.path, 'js'))}, max_file_store: 4GB, max_memory_store: 32MB }\n`,
    );
    this.#child = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  /** Stops it; with `kill9`, as a crash would. */
  async halt(kill9 = false): Promise<void> {
    if (this.#child) await stopChild(this.#child, 5000, kill9 ? 'SIGKILL' : 'SIGTERM');
    this.#child = null;
  }

  async dispose(): Promise<void> {
    await this.halt();
    await this.dir.remove();
  }
}

/**
 * A centre's three-node cluster with JetStream (domain "centre"), each node
 * with a leaf-node port, and leaf nodes with a JetStream domain of their own,
 * as a city poller runs beside it: all on loopback, in one temp folder.
 */
export class TestNatsCluster {
  readonly #children: ChildProcess[] = [];
  leafHost = '127.0.0.1';
  private constructor(
    readonly dir: { path: string; remove(): Promise<void> },
    readonly clientPorts: number[],
    readonly leafPorts: number[],
  ) {}

  get urls(): string[] {
    return this.clientPorts.map((p) => `nats://127.0.0.1:${p}`);
  }

  /**
   * @param leafHost where the leaf-node ports listen: loopback, or this
   * machine's end of a veth to a test namespace, so a leaf inside it reaches
   * the cluster only over that link.
   */
  static async start(leafHost = '127.0.0.1'): Promise<TestNatsCluster> {
    const ports = async (n: number) => Promise.all(Array.from({ length: n }, () => freePort()));
    const [clientPorts, routePorts, leafPorts] = [await ports(3), await ports(3), await ports(3)];
    const c = new TestNatsCluster(await tempDir('nats-cluster'), clientPorts, leafPorts);
    c.leafHost = leafHost;
    const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
    for (let i = 0; i < 3; i++) {
      const conf = join(c.dir.path, `c${i}.conf`);
      await writeFile(
        conf,
        `${[
          `server_name: centre-${i}`,
          `listen: 127.0.0.1:${clientPorts[i]}`,
          `jetstream { store_dir: ${JSON.stringify(join(c.dir.path, `c${i}`))}, domain: centre, max_file_store: 4GB, max_memory_store: 32MB }`,
          `cluster { name: centre, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes}] }`,
          `leafnodes { listen: ${JSON.stringify(`${leafHost}:${leafPorts[i]}`)} }`,
          // A link that dies without a word is found out in seconds, not the default minutes.
          'ping_interval: "2s"',
          'ping_max: 3',
        ].join('\n')}\n`,
      );
      c.#children.push(spawn('nats-server', ['-c', conf], { stdio: 'ignore' }));
    }
    for (const p of clientPorts) await waitForPort(p);
    return c;
  }

  /** The cluster's nodes and leaf nodes, while they run (a bench reads their CPU). */
  get pids(): number[] {
    return this.#children.flatMap((c) => (c.pid && c.exitCode === null ? [c.pid] : []));
  }

  /** Kills cluster node i as a crash would (SIGKILL). */
  async kill(i: number): Promise<void> {
    const c = this.#children[i]!;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  /**
   * A leaf node with its own JetStream domain, linked to every cluster node;
   * returns its client URL. @param inNamespace run it inside this network
   * namespace (its client port is then on the namespace's loopback).
   */
  async leaf(domain: string, inNamespace?: string): Promise<string> {
    const port = await freePort();
    const conf = join(this.dir.path, `leaf-${domain}.conf`);
    await writeFile(
      conf,
      `${[
        `server_name: leaf-${domain}`,
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: ${JSON.stringify(join(this.dir.path, `leaf-${domain}`))}, domain: ${domain}, max_file_store: 4GB, max_memory_store: 32MB }`,
        `leafnodes { reconnect: 1, remotes: [ { urls: [${this.leafPorts.map((p) => `nats-leaf://${this.leafHost}:${p}`).join(', ')}] } ] }`,
        'ping_interval: "2s"',
        'ping_max: 3',
      ].join('\n')}\n`,
    );
    this.#children.push(
      inNamespace
        ? spawn('ip', ['netns', 'exec', inNamespace, 'nats-server', '-c', conf], { stdio: 'ignore' })
        : spawn('nats-server', ['-c', conf], { stdio: 'ignore' }),
    );
    if (inNamespace)
      await waitFor(
        `leaf ${domain} in ${inNamespace}`,
        async () =>
          (await inNs(inNamespace, 'bash', '-c', `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo yes || true`).catch(() => '')).includes('yes'),
        10_000,
      );
    else await waitForPort(port);
    return `nats://127.0.0.1:${port}`;
  }

  async dispose(): Promise<void> {
    for (const c of this.#children.splice(0)) await stopChild(c, 5000);
    await this.dir.remove();
  }
}

function waitForPort(port: number): Promise<void> {
  return waitFor(
    `nats-server on ${port}`,
    () =>
      new Promise((r) => {
        const s = tcpConnect(port, '127.0.0.1', () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      }),
    10_000,
  );
}
