/**
 * `nms reload` as an operator uses it, on a running `nms up`: a circuit
 * added, one taken out, then files with mistakes. The network is an
 * `nms sim` of its own (the whole demo city), so the circuit added is
 * really there to be polled; nms runs without a simulator of its own, its
 * devices addressed at the agents like real routers. Truth comes from
 * outside nms: the simulator's ground truth, and the points InfluxDB holds.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { stopChild, waitFor } from '../support/processes.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { NMS_BIN, runNms } from '../support/runNms.ts';
import { LEGACY_COMMUNITY, TEST_ENV } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';

interface Doc {
  devices: Array<{ id: string; managed?: boolean; address?: string; port?: number }>;
  circuits: Array<{ id: string; owner: string; a: { device: string }; z: { device?: string } }>;
  [k: string]: unknown;
}

const POLL_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('nms reload (end to end, against an nms sim of its own)', function () {
  this.timeout(240_000);
  let dir: { path: string; remove(): Promise<void> };
  let sim: ChildProcess | null = null;
  let nms: ChildProcess | null = null;
  let nmsOut = '';
  let influxUrl = '';
  let env: NodeJS.ProcessEnv;
  let model: Doc;
  /** A department's line and its CPE, absent at start and added by the reload. */
  let added: { circuit: string; device: string };
  /** What nms read of a line over a span: bits, as the sum of each rate times its interval. */
  const read: Array<{ circuit: string; fromMs: number; toMs: number; bits: number; what: string }> = [];
  const readOf = (circuit: string, what: string, points: Array<[number, number | null, number | null]>) => {
    // Each rate is of the interval up to its reading; the span starts where the first one's interval does.
    read.push({ circuit, what, fromMs: points[0]![0] - points[0]![2]! * 1000, toMs: points.at(-1)![0], bits: points.reduce((s, [, v, i]) => s + v! * i!, 0) });
  };
  /** Another department's, present at start and taken out. */
  let removed: { circuit: string; device: string };
  const topologyFile = () => join(dir.path, 'topology.yaml');

  const query = async (q: string): Promise<Array<[number, number | null, number | null]>> => {
    const res = await fetch(`${influxUrl}/query?db=nms&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: Array<{ series?: Array<{ values: Array<[number, number | null, number | null]> }> }> };
    return body.results[0]?.series?.[0]?.values ?? [];
  };
  const writeModel = (without: string[]) => {
    const doc = structuredClone(model);
    doc.circuits = doc.circuits.filter((c) => !without.includes(c.id));
    const ends = new Set(doc.circuits.flatMap((c) => [c.a.device, c.z.device]));
    doc.devices = doc.devices.filter((d) => d.managed === false || ends.has(d.id));
    return writeFile(topologyFile(), stringify(doc));
  };
  const reload = (...args: string[]) => runNms(['reload', '--config', join(dir.path, 'nms.yaml'), ...args], { env, timeoutMs: 150_000 });

  before(async () => {
    dir = await tempDir('reload');
    const secrets = join(dir.path, 'secrets.yaml');
    await writeFile(secrets, `legacy-cpe-community: ${LEGACY_COMMUNITY}\n`);
    env = { ...process.env, ...TEST_ENV, NMS_DEBUG: '' };
    const simDir = join(dir.path, 'simnet');
    await writeFile(join(dir.path, 'sim.yaml'), `dataDir: ${simDir}\nsecretsFile: ${secrets}\n`);
    sim = spawn(
      process.execPath,
      [NMS_BIN, 'sim', '--config', join(dir.path, 'sim.yaml'), '--topology', 'topology.yaml', '--base-port', '0', '--control-port', '0'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let simOut = '';
    sim.stdout!.on('data', (d: Buffer) => (simOut += d.toString()));
    sim.stderr!.on('data', (d: Buffer) => (simOut += d.toString()));
    await waitFor('nms sim to be ready', () => simOut.includes('Press Ctrl-C to stop.'), 60_000);
    const ports = new Map([...simOut.matchAll(/^ {2}(\S+) +127\.0\.0\.1:(\d+) {2}v/gm)].map((m) => [m[1]!, Number(m[2])]));

    // The whole city, each router addressed at its agent as a real one would be at its management address.
    model = parse(await readFile('topology.yaml', 'utf8')) as Doc;
    for (const d of model.devices) {
      if (d.managed === false) continue;
      d.address = '127.0.0.1';
      d.port = ports.get(d.id)!;
      expect(d.port, `${d.id}'s agent`).to.be.a('number');
    }
    const endCount = new Map<string, number>();
    for (const c of model.circuits) for (const e of [c.a.device, c.z.device]) if (e) endCount.set(e, (endCount.get(e) ?? 0) + 1);
    const leaves = model.circuits.filter((c) => c.z.device && endCount.get(c.z.device) === 1 && c.owner.startsWith('hy-') && c.a.device === 'hy-core-1');
    added = { circuit: leaves[0]!.id, device: leaves[0]!.z.device! };
    removed = { circuit: leaves[1]!.id, device: leaves[1]!.z.device! };
    await writeModel([added.circuit]);

    await writeProductConfig(dir.path, {
      topology: topologyFile(),
      top: [`secretsFile: ${secrets}`],
      simulator: ['  enabled: false'],
      collector: [],
    });
    nms = spawn(process.execPath, [NMS_BIN, 'up', '--config', join(dir.path, 'nms.yaml')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    nms.stdout!.on('data', (d: Buffer) => (nmsOut += d.toString()));
    nms.stderr!.on('data', (d: Buffer) => (nmsOut += d.toString()));
    await waitFor('nms up to be ready', () => nmsOut.includes('Press Ctrl-C to stop.'), 90_000);
    influxUrl = /influxdb\s+managed (http:\/\/127\.0\.0\.1:\d+)/.exec(nmsOut)?.[1] ?? '';
    expect(influxUrl, nmsOut).to.not.equal('');
  });

  after(async () => {
    if (nms) await stopChild(nms, 30_000);
    if (sim) await stopChild(sim, 15_000);
    await dir?.remove();
  });

  it('adds a circuit and takes one out while polling goes on, with no interval lost', async () => {
    // The line to be taken out is down, with its alarm raised: the reload must not leave that alarm behind.
    const fault = await runNms(['fault', 'link-down', '--circuit', removed.circuit, '--config', join(dir.path, 'sim.yaml')], { env });
    expect(fault.code, fault.stderr).to.equal(0);
    const alarmActive = async (circuit: string) =>
      (await query(`SELECT last(active) FROM alarm_event WHERE circuit = '${circuit}' AND kind = 'circuit_down'`))[0]?.[1] ?? null;
    await waitFor(`a circuit_down alarm for ${removed.circuit}`, async () => (await alarmActive(removed.circuit)) === 1, 60_000);
    await sleep(3_000);
    const t0 = Date.now();
    await writeModel([removed.circuit]);
    const r = await reload('--json');
    const reloadedAt = Date.now();
    expect(r.code, r.stdout + r.stderr + nmsOut.slice(-3000)).to.equal(0);
    const result = JSON.parse(r.stdout) as {
      outcome: string;
      circuits: { added: string[]; removed: string[] };
      devices: Record<string, string[]>;
      tookMs: number;
    };
    expect(result.outcome).to.equal('applied');
    expect(result.circuits.added).to.deep.equal([added.circuit]);
    expect(result.circuits.removed).to.deep.equal([removed.circuit]);
    expect(result.devices.added).to.deep.equal([added.device]);
    expect(result.devices.removed).to.deep.equal([removed.device]);
    // The core router carried both lines: its poller is new, its other lines' baselines are not.
    expect(result.devices.changed).to.include('hy-core-1');
    await sleep(12_000);
    const t1 = Date.now();

    // Every other line of the core router has a rate every poll across the reload: none is a first reading after a gap,
    // and the intervals join end to end (checked against the truth below).
    const kept = model.circuits.find((c) => c.a.device === 'hy-core-1' && c.id !== added.circuit && c.id !== removed.circuit)!;
    const keptPoints = await query(`SELECT in_bps, interval_s FROM circuit_traffic WHERE circuit = '${kept.id}' AND time >= ${t0}ms AND time <= ${t1}ms`);
    expect(keptPoints.length, `${kept.id}: points from ${t0} to ${t1}`).to.be.at.least(((t1 - t0) / 1000 / POLL_S) * 0.7);
    expect(keptPoints.every(([, v, i]) => v !== null && i !== null)).to.equal(true);
    for (const [k, [t, , i]] of keptPoints.entries()) {
      if (k === 0) continue;
      expect(Math.abs(t - i! * 1000 - keptPoints[k - 1]![0]), `${kept.id}: the interval up to ${t} starts where the one before ended`).to.be.below(50);
    }
    readOf(kept.id, 'kept across the reload', keptPoints);

    // The line taken out is not polled after the reload (one poll in flight may still land).
    const gone = await query(`SELECT in_bps FROM circuit_traffic WHERE circuit = '${removed.circuit}' AND time > ${reloadedAt + 2000}ms`);
    expect(gone, `${removed.circuit} after the reload`).to.have.length(0);
    const before = await query(`SELECT in_bps FROM circuit_traffic WHERE circuit = '${removed.circuit}' AND time < ${t0}ms`);
    expect(before.length, `${removed.circuit}'s history stays`).to.be.above(3);
    expect(await alarmActive(removed.circuit), `${removed.circuit}'s alarm is cleared with it`).to.equal(0);

    // The line added is polled from the reload on, and reads what the network carried (the simulator's truth, below).
    const fresh = await query(`SELECT in_bps, interval_s FROM circuit_traffic WHERE circuit = '${added.circuit}' AND time >= ${t0}ms AND time <= ${t1}ms`);
    expect(fresh.length, `${added.circuit} after the reload`).to.be.at.least(6);
    const status = await query(`SELECT last(up) FROM circuit_status WHERE circuit = '${added.circuit}'`);
    expect(status[0]?.[1]).to.equal(1);
    readOf(added.circuit, 'added by the reload', fresh);
  });

  it('refuses files with mistakes, lists every one with where it is, and changes nothing', async () => {
    const good = await readFile(topologyFile(), 'utf8');
    const config = await readFile(join(dir.path, 'nms.yaml'), 'utf8');
    const doc = parse(good) as Doc;
    (doc.circuits.find((c) => c.id === added.circuit) as unknown as { bandwidth: unknown }).bandwidth = 'fast';
    doc.circuits.find((c) => c.id !== added.circuit && c.a.device === 'hy-core-1')!.a.device = 'hy-core-9';
    await writeFile(topologyFile(), stringify(doc));
    await writeFile(join(dir.path, 'nms.yaml'), config.replace(/^ {2}port: 0$/m, '  port: 0\n  host: 0.0.0.0'));
    const before = await query(`SELECT count(in_bps) FROM circuit_traffic WHERE circuit = '${added.circuit}'`);
    const r = await reload();
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/refused; nothing changed/);
    // Each problem says its file and line, or its setting.
    expect(r.stdout).to.match(new RegExp(`${topologyFile().replaceAll('/', '\\/')}:\\d+:\\d+: .*bandwidth`));
    expect(r.stdout).to.match(/hy-core-9/);
    expect(r.stdout).to.match(/nms\.yaml: console\.host: changed; this setting takes a restart/);
    await sleep(3000);
    const after = await query(`SELECT count(in_bps) FROM circuit_traffic WHERE circuit = '${added.circuit}'`);
    expect(after[0]![1]!, 'the added circuit is still polled').to.be.above(before[0]![1]!);
    expect(nmsOut).to.not.match(/\n\s+at .*\.ts:\d+/);

    // Put right, the same files reload as they were: nothing to do.
    await writeFile(topologyFile(), good);
    await writeFile(join(dir.path, 'nms.yaml'), config);
    const again = await reload();
    expect(again.code, again.stdout).to.equal(0);
    expect(again.stdout).to.match(/nothing to do/);
  });

  it('read the lines kept and added as the network carried them', async () => {
    await stopChild(sim!, 15_000);
    sim = null;
    const truth = await GroundTruth.read(join(dir.path, 'simnet', 'sim', 'truth'));
    expect(read).to.have.length(2);
    for (const r of read) {
      const want = 8 * truth.total(r.circuit, 'a_in', r.fromMs, r.toMs);
      expect(want).to.be.above(0);
      expect(Math.abs(r.bits - want) / want, `${r.circuit} (${r.what}): read ${r.bits} bits, truth ${want}`).to.be.below(0.02);
    }
  });
});
