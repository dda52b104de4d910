/**
 * What the simulated network costs, so later performance work can tell the
 * simulator's CPU from the poller's. Runs `nms sim` as its own process and
 * reads that process's CPU time from /proc, so the load generator's own CPU
 * is never counted. Beside each figure: the same load against Debian's snmpd.
 *
 *   npx tsx bench/simulator.ts [--seconds N]
 *
 * Bounded: every phase stops by itself; it sends only to 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import snmp from 'net-snmp';
import { parse } from 'yaml';
import { loadTopology } from '../shared/model/loader.ts';
import { Secret } from '../shared/secret.ts';
import { netSnmpUser, netSnmpVersion, resolveCredentials, type SnmpCredentials } from '../shared/snmp/credentials.ts';

const args = process.argv.slice(2);
const SECONDS = Number(args[args.indexOf('--seconds') + 1] || 15);
const CLK_TCK = 100;
const IF_TABLE = '1.3.6.1.2.1.2.2.1';
const IFX_TABLE = '1.3.6.1.2.1.31.1.1.1';

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Target {
  port: number;
  credentials: SnmpCredentials;
}

function sessionFor(t: Target) {
  const options = { port: t.port, version: netSnmpVersion(t.credentials), timeout: 2000, retries: 0 } as snmp.SessionOptions;
  return t.credentials.version === '3'
    ? snmp.createV3Session('127.0.0.1', netSnmpUser(t.credentials), options as snmp.SessionOptionsV3)
    : snmp.createSession('127.0.0.1', t.credentials.community.reveal(), options);
}

/** One walk of a device's ifTable and ifXTable (GETBULK, or GETNEXT for SNMPv1), as a poller does. */
function walkDevice(t: Target): Promise<{ pdus: number; varbinds: number }> {
  const session = sessionFor(t);
  let pdus = 0;
  let varbinds = 0;
  const walk = (oid: string) =>
    new Promise<void>((res) => {
      session.subtree(
        oid,
        20,
        (vbs: snmp.Varbind[]) => {
          pdus++;
          varbinds += vbs.length;
        },
        () => res(),
      );
    });
  return walk(IF_TABLE)
    .then(() => walk(IFX_TABLE))
    .then(() => {
      session.close();
      return { pdus, varbinds };
    });
}

/** GETBULK requests, `concurrency` at a time, round-robin over targets, for `seconds`. */
async function saturate(targets: Target[], seconds: number, concurrency = 8): Promise<{ pdus: number; varbinds: number }> {
  const deadline = Date.now() + seconds * 1000;
  let pdus = 0;
  let varbinds = 0;
  let next = 0;
  const sessions = targets.map(sessionFor);
  const worker = async () => {
    while (Date.now() < deadline) {
      const s = sessions[next++ % sessions.length]!;
      await new Promise<void>((res) =>
        s.getBulk([IF_TABLE], 0, 20, (err, vbs) => {
          if (!err) {
            pdus++;
            // One entry per requested OID, each the list of its repetitions.
            varbinds += (vbs ?? []).flat().length;
          }
          res();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const s of sessions) s.close();
  return { pdus, varbinds };
}

async function waitForOutput(child: ChildProcess, text: string, timeoutMs = 60_000): Promise<string> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes(text)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`process did not print "${text}":\n${out}`);
    await sleep(100);
  }
  return out;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const pct = (cpu: number, wall: number) => `${((cpu / wall) * 100).toFixed(2)}% of one core`;
const perK = (cpu: number, n: number) => `${((cpu * 1000 * 1000) / Math.max(1, n)).toFixed(1)} ms CPU per 1,000`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nms-bench-sim-'));
  const sim = spawn(process.execPath, [resolve('bin/nms.js'), 'sim', '--base-port', '0', '--control-port', '0', '--speed', '1'], {
    env: { ...process.env, NMS_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let snmpd: ChildProcess | null = null;
  try {
    const out = await waitForOutput(sim, 'Press Ctrl-C to stop.');
    const demo = parse(await readFile(join(dir, 'demo-secrets.yaml'), 'utf8')) as Record<string, string>;
    const topology = await loadTopology('topology.yaml');
    const targets: Target[] = [...out.matchAll(/^ {2}(\S+) +127\.0\.0\.1:(\d+) {2}v(\S+)$/gm)].map((m) => ({
      port: Number(m[2]),
      credentials: resolveCredentials(topology.snmpProfiles.get(topology.device(m[1]!).snmpProfile!)!, { env: {}, demo }),
    }));
    const v2c = targets.filter((t) => t.credentials.version === '2c');
    const pid = sim.pid!;
    const versions = (v: string) => targets.filter((t) => t.credentials.version === v).length;
    console.log(`Simulated network: ${targets.length} devices at speed 1 (v3: ${versions('3')}, v2c: ${versions('2c')}, v1: ${versions('1')}).`);

    // Idle: what the network costs with nobody asking.
    await sleep(2000);
    let c0 = await cpuSeconds(pid);
    await sleep(SECONDS * 1000);
    const idle = (await cpuSeconds(pid)) - c0;
    console.log(`  idle, ${SECONDS} s:                            ${pct(idle, SECONDS)}`);

    // A poll cycle: every device walked once (ifTable + ifXTable), spread over the period.
    c0 = await cpuSeconds(pid);
    const t0 = Date.now();
    let cyclePdus = 0;
    let cycleVarbinds = 0;
    for (const [i, target] of targets.entries()) {
      const due = t0 + (i * SECONDS * 1000) / targets.length;
      if (due > Date.now()) await sleep(due - Date.now());
      const r = await walkDevice(target);
      cyclePdus += r.pdus;
      cycleVarbinds += r.varbinds;
    }
    await sleep(Math.max(0, t0 + SECONDS * 1000 - Date.now()));
    const cycleCpu = (await cpuSeconds(pid)) - c0;
    const wall = (Date.now() - t0) / 1000;
    console.log(`  one walk of every device in ${wall.toFixed(0)} s:         ${pct(cycleCpu, wall)} (${cyclePdus} PDUs, ${cycleVarbinds} varbinds)`);
    console.log(`    the same cycle every 60 s (the product's poll): ${pct(cycleCpu + (idle / SECONDS) * (60 - wall), 60)} (target: < 10%)`);

    // Saturation: requests answered per CPU second.
    c0 = await cpuSeconds(pid);
    const sat = await saturate(v2c, SECONDS);
    const satCpu = (await cpuSeconds(pid)) - c0;
    console.log(
      `  saturated (v2c devices), ${SECONDS} s: ${(sat.pdus / SECONDS).toFixed(0)} GETBULK/s; ${perK(satCpu, sat.pdus)} requests, ${perK(satCpu, sat.varbinds)} varbinds`,
    );

    // Peer: Debian's snmpd on the same kind of request.
    const conf = join(dir, 'snmpd.conf');
    await writeFile(conf, `rocommunity bench 127.0.0.1\n`);
    const port = 20000 + Math.floor(Math.random() * 20000);
    snmpd = spawn('snmpd', ['-f', '-Ln', '-C', '-c', conf, `udp:127.0.0.1:${port}`], {
      env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'snmpd'), MIBS: '' },
      stdio: 'ignore',
    });
    await sleep(1500);
    const peerTargets: Target[] = [{ port, credentials: { version: '2c', community: new Secret('bench') } }];
    c0 = await cpuSeconds(snmpd.pid!);
    const peer = await saturate(peerTargets, SECONDS);
    const peerCpu = (await cpuSeconds(snmpd.pid!)) - c0;
    console.log(
      `Peer, Debian snmpd (its own ifTable), saturated, ${SECONDS} s: ${(peer.pdus / SECONDS).toFixed(0)} GETBULK/s; ${perK(peerCpu, peer.pdus)} requests, ${perK(peerCpu, peer.varbinds)} varbinds`,
    );
  } finally {
    await stop(sim);
    if (snmpd) await stop(snmpd);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/simulator: ${err.message}`);
  process.exitCode = 1;
});
