/**
 * `nms sim` and `nms fault` as a user runs them: the simulated network in the
 * foreground with generated demo credentials, faults from a second terminal,
 * and clear refusals of bad arguments.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadTopology } from '../../shared/model/loader.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { waitFor } from '../support/processes.ts';
import { NMS_BIN, runNms } from '../support/runNms.ts';
import { snmpget } from '../support/snmpTools.ts';
import { tempDir } from '../support/tempDir.ts';

describe('nms sim and nms fault (end to end)', function () {
  this.timeout(90_000);
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('nmssim');
  });
  afterEach(() => dir.remove());

  it('runs the whole network, prints the endpoint map, takes faults, and stops on SIGTERM', async () => {
    const env = { ...process.env, NMS_DATA_DIR: dir.path, NMS_DEBUG: '' };
    const topology = await loadTopology('topology.yaml');
    const child = spawn(process.execPath, [NMS_BIN, 'sim', '--base-port', '0', '--control-port', '0', '--speed', '60'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      await waitFor('nms sim to be ready', () => out.includes('Press Ctrl-C to stop.'), 60_000);
      expect(out).to.match(/^Simulated 衡阳市电子政务外网 \(Hengyang E-Government WAN\): 97 devices, speed 60×$/m);
      const endpoints = [...out.matchAll(/^ {2}(\S+) +127\.0\.0\.1:(\d+) {2}v(1|2c|3)$/gm)].map((m) => ({ id: m[1]!, port: Number(m[2]) }));
      expect(endpoints).to.have.length(97);

      // The demo credentials it generated work with Debian's snmpget.
      const demo = parse(await readFile(join(dir.path, 'demo-secrets.yaml'), 'utf8')) as Record<string, string>;
      const hbj = endpoints.find((e) => e.id === 'hy-hbj-cpe')!;
      const r = await snmpget(hbj.port, { version: '2c', community: demo['env:NMS_SNMP_CPE_COMMUNITY']! }, ['1.3.6.1.2.1.1.5.0']);
      expect(r.values.get('1.3.6.1.2.1.1.5.0')).to.equal('"hy-hbj-cpe"');

      // nms poll finds the running simulator and its demo credentials by itself.
      const poll = await runNms(['poll', '--device', 'hy-hbj-cpe', '--device', 'hy-core-1', '--count', '2', '--interval', '1', '--json', '--no-store'], {
        env,
      });
      expect(poll.code, poll.stderr).to.equal(0);
      const all = poll.stdout
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              cycle: number;
              device: string;
              circuit: string;
              width: number;
              outcome: string;
              rate: { inBps: number; intervalS: number } | null;
              responseMs?: number;
              cpuPct?: number | null;
              memPct?: number | null;
              counters?: string;
            },
        );
      // Each device's health comes first in each cycle, then its interfaces.
      const health = all.filter((l) => l.responseMs !== undefined);
      expect(health.map((h) => [h.cycle, h.device]).sort()).to.deep.equal([
        [1, 'hy-core-1'],
        [1, 'hy-hbj-cpe'],
        [2, 'hy-core-1'],
        [2, 'hy-hbj-cpe'],
      ]);
      const coreHealth = health.find((h) => h.device === 'hy-core-1' && h.cycle === 2)!;
      expect(coreHealth.cpuPct, 'the simulated core router has CPU').to.be.a('number');
      expect(coreHealth.memPct).to.be.a('number');
      expect(coreHealth.counters, "the simulator's counters are read when asked").to.equal('live');
      const lines = all.filter((l) => l.responseMs === undefined);
      const core = topology.circuitsOnDevice('hy-core-1').length;
      expect(lines).to.have.length(2 * (core + 1));
      const hbjLines = lines.filter((l) => l.device === 'hy-hbj-cpe');
      expect(hbjLines.map((l) => [l.cycle, l.circuit, l.width, l.outcome])).to.deep.equal([
        [1, 'HY-D-HBJ', 64, 'first'],
        [2, 'HY-D-HBJ', 64, 'rate'],
      ]);
      // 1 s apart at 60×, less the first poll's counter-refresh calibration (probes for a fraction of a real second).
      expect(hbjLines[1]!.rate!.intervalS).to.be.within(20, 90);
      expect(lines.filter((l) => l.cycle === 2).every((l) => l.outcome === 'rate')).to.equal(true);

      const fault = await runNms(['fault', 'link-down', '--circuit', 'HY-HYX', '--for', '5m'], { env });
      expect(fault.code, fault.stderr).to.equal(0);
      expect(fault.stdout).to.match(/^fault \d+ \(link-down\) started at simulated \d{4}-\d\d-\d\dT/);
      const bad = await runNms(['fault', 'link-down', '--circuit', 'HY-NOWHERE'], { env });
      expect(bad.code).to.equal(1);
      expect(bad.stderr.trim()).to.equal('nms fault: unknown circuit "HY-NOWHERE"');

      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      const t = await GroundTruth.read(join(dir.path, 'sim', 'truth'));
      expect(t.eventsOf('link-down').map((e) => ('circuit' in e ? e.circuit : ''))).to.include('HY-HYX');
      expect(t.meta.speed).to.equal(60);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to poll the real network outside production', async () => {
    const r = await runNms(['poll', '--device', 'hy-core-1', '--count', '1', '--no-store'], {
      env: { NMS_DATA_DIR: dir.path, NMS_SNMP_CORE_AUTH_KEY: 'x'.repeat(10), NMS_SNMP_CORE_PRIV_KEY: 'y'.repeat(10) },
    });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      'device hy-core-1: target 10.43.0.1:161 is not on loopback; outside production (production: true in nms.yaml) the collector polls only 127.0.0.0/8 and ::1',
    );
    expect(r.stderr.trim().split('\n').at(-1)).to.equal('nms poll: no device can be polled');
  });

  it('says plainly when no simulator is running', async () => {
    const r = await runNms(['fault', 'reboot', '--device', 'hy-core-1'], { env: { NMS_DATA_DIR: dir.path } });
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(
      `nms fault: no running simulator found (${join(dir.path, 'sim', 'sim.json')} is missing); start one with "nms sim" or "nms up", or pass --control URL`,
    );
  });

  it('refuses a trap receiver off loopback and a bad speed, before starting anything', async () => {
    const off = await runNms(['sim', '--trap-to', '10.43.0.9:162'], { env: { NMS_DATA_DIR: dir.path } });
    expect(off.code).to.equal(1);
    expect(off.stderr.trim()).to.equal('nms sim: --trap-to "10.43.0.9:162" is not on loopback; the simulator sends only to 127.0.0.0/8 or ::1');
    const speed = await runNms(['sim', '--speed', 'fast'], { env: { NMS_DATA_DIR: dir.path } });
    expect(speed.stderr.trim()).to.equal('nms sim: --speed must be a number from 0.001 to 100000, got "fast"');
  });
});
