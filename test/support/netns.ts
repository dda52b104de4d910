/**
 * Test hosts in network namespaces: each a Linux network namespace joined to
 * this machine by veth pairs, with Debian's snmpd inside reading the kernel's
 * own counters. The network rule holds by construction: every address is in
 * 198.18.0.0/15 (set aside for network benchmark tests) and lives only on
 * links this module made, and everything is removed again by the test.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { waitFor } from './processes.ts';

const exec = promisify(execFile);

const BENCHMARK_NET = /^198\.1[89]\.\d{1,3}\.\d{1,3}$/;

async function ip(...args: string[]): Promise<void> {
  await exec('ip', args);
}

/** Runs a command inside a namespace. */
export async function inNs(ns: string, ...cmd: string[]): Promise<string> {
  return (await exec('ip', ['netns', 'exec', ns, ...cmd])).stdout;
}

export interface Link {
  /** The end in this machine's namespace, and its address. */
  hostIf: string;
  hostAddr: string;
  /** The end in the test host's namespace, and its address. */
  nsIf: string;
  nsAddr: string;
}

export class TestHost {
  readonly links: Link[] = [];
  #agent: ChildProcess | null = null;
  #samplers: ChildProcess[] = [];

  private constructor(readonly ns: string) {}

  /** A namespace of its own, with loopback up. Names are made unique per test process. */
  static async create(name: string): Promise<TestHost> {
    const ns = `nmst-${process.pid}-${name}`;
    await ip('netns', 'add', ns);
    const host = new TestHost(ns);
    await inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    return host;
  }

  /**
   * A veth pair from this machine to the test host, /30 addresses, both ends
   * up. @throws Error for an address outside 198.18.0.0/15.
   */
  async link(hostIf: string, hostAddr: string, nsIf: string, nsAddr: string): Promise<Link> {
    for (const a of [hostAddr, nsAddr]) if (!BENCHMARK_NET.test(a)) throw new Error(`test address ${a} is not in 198.18.0.0/15`);
    await ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', this.ns);
    await ip('addr', 'add', `${hostAddr}/30`, 'dev', hostIf);
    await ip('link', 'set', hostIf, 'up');
    await inNs(this.ns, 'ip', 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf);
    await inNs(this.ns, 'ip', 'link', 'set', nsIf, 'up');
    const link = { hostIf, hostAddr, nsIf, nsAddr };
    this.links.push(link);
    return link;
  }

  /** A veth pair from this test host to another, /30 addresses, both ends up (a router and the far end behind it). */
  async linkTo(other: TestHost, here: { ifName: string; addr: string }, there: { ifName: string; addr: string }): Promise<void> {
    for (const a of [here.addr, there.addr]) if (!BENCHMARK_NET.test(a)) throw new Error(`test address ${a} is not in 198.18.0.0/15`);
    await inNs(this.ns, 'ip', 'link', 'add', here.ifName, 'type', 'veth', 'peer', 'name', there.ifName, 'netns', other.ns);
    await inNs(this.ns, 'ip', 'addr', 'add', `${here.addr}/30`, 'dev', here.ifName);
    await inNs(this.ns, 'ip', 'link', 'set', here.ifName, 'up');
    await inNs(other.ns, 'ip', 'addr', 'add', `${there.addr}/30`, 'dev', there.ifName);
    await inNs(other.ns, 'ip', 'link', 'set', there.ifName, 'up');
  }

  /** Starts a process inside the namespace; it is stopped with the namespace. */
  spawnInside(cmd: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#samplers.push(child);
    return child;
  }

  /** An interface inside the namespace, left administratively down (a veth pair wholly inside; no dummy module needed). */
  async addDownInterface(name: string): Promise<void> {
    await inNs(this.ns, 'ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  }

  /** Shapes what this machine sends on the link, as a carrier's 2M line would (tc tbf). */
  async shape(link: Link, rate: string): Promise<void> {
    await exec('tc', ['qdisc', 'add', 'dev', link.hostIf, 'root', 'tbf', 'rate', rate, 'burst', '16kbit', 'latency', '50ms']);
  }

  /** Debian's snmpd in the namespace with these snmpd.conf lines, listening where they say. */
  async startSnmpd(dir: string, confLines: string[], listen: string[], ready: () => Promise<boolean>): Promise<void> {
    const conf = join(dir, `snmpd-${this.ns}.conf`);
    await writeFile(conf, `${confLines.join('\n')}\n`);
    this.#agent = spawn(
      'ip',
      ['netns', 'exec', this.ns, 'snmpd', '-f', '-Ln', '-C', '-c', conf, `--persistentDir=${join(dir, `persist-${this.ns}`)}`, listen.join(',')],
      {
        stdio: 'ignore',
        env: { ...process.env, MIBS: '' },
      },
    );
    await waitFor(`snmpd in ${this.ns} to answer`, ready, 15_000);
  }

  /**
   * The kernel's counters of an interface, read inside the namespace every
   * 200 ms with this machine's clock: the truth the collector is checked against.
   */
  sampleCounters(ifName: string): CounterLog {
    const log = new CounterLog();
    const script = `while :; do echo "$(date +%s%3N) $(cat /sys/class/net/${ifName}/statistics/rx_bytes) $(cat /sys/class/net/${ifName}/statistics/tx_bytes)"; sleep 0.2; done`;
    const child = spawn('ip', ['netns', 'exec', this.ns, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: child.stdout! }).on('line', (line) => log.add(line));
    this.#samplers.push(child);
    return log;
  }

  /** Stops what runs inside and deletes the namespace (its veth pairs go with it). Safe to call twice. */
  async remove(): Promise<void> {
    for (const child of [...this.#samplers.splice(0), ...(this.#agent ? [this.#agent] : [])]) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    this.#agent = null;
    await ip('netns', 'del', this.ns).catch(() => undefined);
  }
}

/** Interface byte counters over time, as the kernel reported them. */
export class CounterLog {
  readonly samples: Array<{ atMs: number; rx: number; tx: number }> = [];

  add(line: string): void {
    const [at, rx, tx] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(at) && Number.isFinite(rx) && Number.isFinite(tx)) this.samples.push({ atMs: at!, rx: rx!, tx: tx! });
  }

  /** The counter at a moment, linearly between the samples around it. @throws Error outside the log. */
  at(atMs: number, which: 'rx' | 'tx'): number {
    const s = this.samples;
    const hi = s.findIndex((x) => x.atMs >= atMs);
    if (hi <= 0) throw new Error(`no kernel counter sample around ${new Date(atMs).toISOString()}`);
    const [a, b] = [s[hi - 1]!, s[hi]!];
    return a[which] + ((b[which] - a[which]) * (atMs - a.atMs)) / Math.max(1, b.atMs - a.atMs);
  }

  /** Mean bit/s over [fromMs, toMs]. */
  rate(fromMs: number, toMs: number, which: 'rx' | 'tx'): number {
    return ((this.at(toMs, which) - this.at(fromMs, which)) * 8 * 1000) / (toMs - fromMs);
  }
}

/**
 * A bounded UDP sender: `rateBps` to each target for `seconds`, then it
 * exits by itself. Run as its own process so the test's event loop cannot
 * slow it. Targets must be in 198.18.0.0/15.
 */
export function startTraffic(targets: string[], rateBps: number, seconds: number): ChildProcess {
  for (const t of targets) if (!BENCHMARK_NET.test(t)) throw new Error(`traffic target ${t} is not in 198.18.0.0/15`);
  const program = `
    const dgram = require('node:dgram');
    const [targets, rate, seconds] = ${JSON.stringify([targets, rateBps, seconds])};
    const s = dgram.createSocket('udp4');
    s.on('error', () => {});
    const payload = Buffer.alloc(1200);
    const perTick = (rate / 8 / payload.length) / 100;
    const end = Date.now() + seconds * 1000;
    let owed = 0;
    const timer = setInterval(() => {
      if (Date.now() > end) { clearInterval(timer); s.close(); return; }
      owed += perTick;
      for (; owed >= 1; owed--) for (const t of targets) s.send(payload, 9, t);
    }, 10);`;
  return spawn(process.execPath, ['-e', program], { stdio: 'ignore' });
}
