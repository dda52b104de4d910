/**
 * A lab for circuit quality: this machine -- router M -- far ends F1, F2, all
 * in network namespaces on 198.18.0.0/15. This kernel has no netem, so M
 * holds what it forwards to each far end in a TUN delay line
 * (delayLine.py: delay ± jitter, each hold logged) and drops echoes at
 * random with an nftables rule whose counters are the kernel's count of
 * packets seen and dropped. Those settings, the holds and the counters are
 * the truth a test checks the prober against. M runs Debian's snmpd, so the
 * circuits are polled as in production. 198.18.71.9 is routed to F1, which
 * does not forward: it never answers.
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { inNs, TestHost } from './netns.ts';

export const LAB = {
  hostAddr: '198.18.70.1',
  routerAddr: '198.18.70.2',
  far: [
    { name: 'f1', routerIf: 'mf1', routerAddr: '198.18.71.1', addr: '198.18.71.2', table: 101 },
    { name: 'f2', routerIf: 'mf2', routerAddr: '198.18.72.1', addr: '198.18.72.2', table: 102 },
  ],
  silentAddr: '198.18.71.9',
} as const;

export interface LineSettings {
  delayMs: number;
  jitterMs: number;
  /** Per mille of echo requests the kernel drops. */
  lossPerMille: number;
}

export class DelayLine {
  /** Every hold in ms, with when (this machine's clock) the packet left. */
  readonly holds: Array<{ atMs: number; ms: number }> = [];
  #applied: Array<() => void> = [];

  constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('held ')) this.holds.push({ atMs: Date.now(), ms: Number(line.slice(5)) });
      else if (line.startsWith('applied ')) this.#applied.shift()?.();
    });
  }

  set(delayMs: number, jitterMs: number): Promise<void> {
    const applied = new Promise<void>((r) => this.#applied.push(r));
    this.child.stdin!.write(`${JSON.stringify({ delayMs, jitterMs })}\n`);
    return applied;
  }
}

export class QualityLab {
  readonly lines = new Map<string, DelayLine>();
  private constructor(
    readonly router: TestHost,
    readonly farEnds: TestHost[],
    readonly hostIf: string,
  ) {}

  /** Builds the lab; every process and namespace goes with remove(). @param maxSeconds how long the delay lines may live. */
  static async create(tag: string, maxSeconds: number): Promise<QualityLab> {
    const router = await TestHost.create('qm');
    const farEnds: TestHost[] = [];
    const lab = new QualityLab(router, farEnds, `q${tag}m0`);
    try {
      await router.link(lab.hostIf, LAB.hostAddr, 'mh0', LAB.routerAddr);
      await inNs(router.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
      for (const f of LAB.far) {
        const host = await TestHost.create(`q${f.name}`);
        farEnds.push(host);
        await router.linkTo(host, { ifName: f.routerIf, addr: f.routerAddr }, { ifName: 'wan0', addr: f.addr });
        await inNs(host.ns, 'ip', 'route', 'add', 'default', 'via', f.routerAddr);
        const tun = `dl${f.name}`;
        const child = router.spawnInside('python3', [resolve('test/support/delayLine.py'), '--tun', tun, '--max-seconds', String(maxSeconds)]);
        await new Promise<void>((ok, fail) => {
          createInterface({ input: child.stdout! }).once('line', (l) => (l === 'ready' ? ok() : fail(new Error(`delay line: ${l}`))));
          child.once('exit', (code) => fail(new Error(`delay line exited with ${code}`)));
        });
        lab.lines.set(f.name, new DelayLine(child));
        await inNs(router.ns, 'ip', 'link', 'set', tun, 'up');
        await inNs(router.ns, 'sysctl', '-qw', `net.ipv4.conf.${tun}.rp_filter=0`);
        // What comes from this machine for the far end takes the delay line; what the line gives back goes on as usual.
        await inNs(router.ns, 'ip', 'rule', 'add', 'iif', 'mh0', 'to', f.addr, 'lookup', String(f.table));
        await inNs(router.ns, 'ip', 'route', 'add', 'default', 'dev', tun, 'table', String(f.table));
      }
      await inNs(router.ns, 'ip', 'route', 'add', `${LAB.silentAddr}/32`, 'via', LAB.far[0].addr);
      for (const net of ['198.18.71.0/24', '198.18.72.0/24']) await routeHere(net);
    } catch (err) {
      await lab.remove();
      throw err;
    }
    return lab;
  }

  /** Sets a far end's line: delay and jitter on its delay line, loss in the kernel. */
  async set(far: 'f1' | 'f2', s: LineSettings): Promise<void> {
    await this.lines.get(far)!.set(s.delayMs, s.jitterMs);
    this.#loss.set(far, s.lossPerMille);
    const rules = LAB.far.map((f) => {
      const perMille = this.#loss.get(f.name) ?? 0;
      // Counted first (all), then dropped (some): the kernel's own loss figure is dropped / all.
      return [
        `iif "mh0" ip daddr ${f.addr} icmp type echo-request counter name ${f.name}_all`,
        ...(perMille > 0
          ? [`iif "mh0" ip daddr ${f.addr} icmp type echo-request numgen random mod 1000 < ${perMille} counter name ${f.name}_dropped drop`]
          : []),
      ].join('\n    ');
    });
    const counters = LAB.far.flatMap((f) => [`counter ${f.name}_all {}`, `counter ${f.name}_dropped {}`]).join('\n  ');
    // One transaction: the table is replaced whole, counters kept by reading them before.
    const before = await this.counters();
    const text = `table ip lab {\n  ${counters}\n  chain forward {\n    type filter hook forward priority 0;\n    ${rules.join('\n    ')}\n  }\n}\n`;
    await inNs(this.router.ns, 'sh', '-c', `nft delete table ip lab 2>/dev/null; nft -f - <<'EOF'\n${text}EOF`);
    this.#base = before;
  }

  readonly #loss = new Map<string, number>();
  #base = new Map<string, number>();

  /** The kernel's counters, since the lab was made: `<far>_all` and `<far>_dropped` packets. */
  async counters(): Promise<Map<string, number>> {
    const out = new Map(this.#base);
    const text = await inNs(this.router.ns, 'nft', 'list', 'counters').catch(() => '');
    for (const m of text.matchAll(/counter (\w+) \{\s*packets (\d+)/g)) out.set(m[1]!, (this.#base.get(m[1]!) ?? 0) + Number(m[2]));
    return out;
  }

  /** Starts Debian's snmpd in the router, answering v2c on its address toward this machine. */
  async startSnmpd(dir: string, community: string, ready: () => Promise<boolean>): Promise<void> {
    await this.router.startSnmpd(dir, [`rocommunity ${community} ${LAB.hostAddr}`], [`udp:${LAB.routerAddr}:161`], ready);
  }

  async remove(): Promise<void> {
    for (const net of ['198.18.71.0/24', '198.18.72.0/24']) await unroute(net);
    for (const h of [...this.farEnds, this.router]) await h.remove();
  }
}

async function routeHere(net: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((ok, fail) => execFile('ip', ['route', 'replace', net, 'via', LAB.routerAddr], (err) => (err ? fail(err) : ok())));
}

async function unroute(net: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((ok) => execFile('ip', ['route', 'del', net], () => ok()));
}
