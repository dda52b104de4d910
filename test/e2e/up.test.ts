/**
 * The README's first command, `nms up`, run as a process: it validates the
 * model, brings up the managed influxd, creates the schema, and takes down
 * everything it started.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { isAlive, waitFor } from '../support/processes.ts';
import { NMS_BIN, runNms } from '../support/runNms.ts';
import { udpFreePort } from '../support/ports.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery } from '../support/testInflux.ts';

/** Fixed default ports may be taken on a shared machine; the tests let the system choose. */
const config = (topology: string, influxPort: number, trapPort: number) =>
  `topology: ${topology}\ninflux:\n  embeddedPort: ${influxPort}\nsimulator:\n  basePort: 0\n  controlPort: 0\n  history: 0\nalarms:\n  trapPort: ${trapPort}\nconsole:\n  port: 0\n`;

describe('nms up (end to end)', function () {
  this.timeout(90_000);
  let dir: { path: string; remove(): Promise<void> };
  let port: number;
  let trapPort: number;

  beforeEach(async () => {
    dir = await tempDir('up');
    port = await freePort();
    trapPort = await udpFreePort();
    await writeFile(join(dir.path, 'nms.yaml'), config(resolve('topology.yaml'), port, trapPort));
  });
  afterEach(() => dir.remove());

  it('--check starts the managed InfluxDB, reports the loaded model, and stops it again', async () => {
    const r = await runNms(['up', '--check'], { cwd: dir.path });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('nms is up: 衡阳市电子政务外网 (Hengyang E-Government WAN)');
    expect(r.stdout).to.match(/102 sites \(12 county-level\), 98 devices, 97 circuits, 1452M contracted/);
    expect(r.stdout).to.include(`influxdb  managed http://127.0.0.1:${port} database "nms"`);
    expect(r.stdout).to.match(/network {3}simulated: 97 SNMP agents on 127\.0\.0\.1, speed 1×, control http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).to.match(/check passed: all \d+ devices answered; stopped/);
    const pid = Number(/pid (\d+)/.exec(r.stdout)![1]);
    expect(isAlive(pid)).to.equal(false);
    expect(existsSync(join(dir.path, 'var/influxdb/meta/meta.db'))).to.equal(true);
    expect(r.stderr).to.include('created retention policy raw');
  });

  it('runs until SIGTERM, polling the simulated network into InfluxDB, then stops what it started', async () => {
    // A simulated minute per real second, polled every real second.
    await writeFile(
      join(dir.path, 'nms.yaml'),
      [
        `topology: ${resolve('topology.yaml')}`,
        'influx:',
        `  embeddedPort: ${port}`,
        'simulator:',
        '  basePort: 0',
        '  controlPort: 0',
        '  speed: 60',
        '  history: 0',
        'collector:',
        '  interval: 1s',
        'alarms:',
        `  trapPort: ${trapPort}`,
        'console:',
        '  port: 0',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [NMS_BIN, 'up'], { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      await waitFor('nms up to be ready', () => out.includes('Press Ctrl-C to stop.'), 60_000);
      const influxPid = Number(/pid (\d+)/.exec(out)![1]);
      const rps = await httpQuery(`http://127.0.0.1:${port}`, 'SHOW RETENTION POLICIES ON nms');
      expect(rps.map((r) => r.name)).to.have.members(['raw', 'rollup_5m', 'rollup_1h']);
      expect(out).to.match(/polling {3}97 devices every 1 s/);
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        'rates in InfluxDB',
        async () => {
          const rows = await httpQuery(url, 'SELECT count(in_bps) FROM circuit_traffic', 'nms');
          return ((rows[0]?.count as number | undefined) ?? 0) >= 97 * 2;
        },
        30_000,
      );
      const circuits = await httpQuery(url, 'SHOW TAG VALUES FROM circuit_traffic WITH KEY = "circuit"', 'nms');
      expect(circuits.length).to.equal(97);
      const devices = await httpQuery(url, 'SHOW TAG VALUES FROM device_health WITH KEY = "device"', 'nms');
      expect(devices.length).to.equal(97);
      // The console and the demo login it printed: the live state of every circuit behind a session.
      const m = /console {3}(http:\/\/127\.0\.0\.1:\d+) \(demo login: noc \/ (\S+) as operator, manager \/ (\S+) as viewer, admin \/ \S+ as admin\)/.exec(out)!;
      expect(m, out).to.not.equal(null);
      const login = await fetch(`${m[1]}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'manager', password: m[3] }),
      });
      expect(login.status).to.equal(200);
      const liveState = (await (await fetch(`${m[1]}/api/live`, { headers: { cookie: login.headers.get('set-cookie')!.split(';')[0]! } })).json()) as {
        circuits: unknown[];
      };
      expect(liveState.circuits.length).to.equal(97);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(isAlive(influxPid)).to.equal(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('--check fails, naming every device that cannot be polled and why', async () => {
    // The real topology without the simulator: outside production its management addresses are refused.
    await writeFile(
      join(dir.path, 'nms.yaml'),
      config(resolve('topology.yaml'), port, trapPort).replace('simulator:\n  basePort: 0\n', 'simulator:\n  enabled: false\n  basePort: 0\n'),
    );
    const r = await runNms(['up', '--check'], { cwd: dir.path, env: { NMS_SNMP_CORE_COMMUNITY: 'x', NMS_SNMP_CPE_COMMUNITY: 'x' } });
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.match(/check failed: \d+ of \d+ devices cannot be polled/);
    expect(r.stderr).to.include('device hy-core-1: target 10.43.0.1:161 is not on loopback');
  });

  it('refuses a broken topology before starting anything', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), config(resolve('test/fixtures/topology/broken/all-at-once.yaml'), port, trapPort));
    const r = await runNms(['up', '--check'], { cwd: dir.path });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/all-at-once\.yaml: 8 problems/);
    expect(existsSync(join(dir.path, 'var/influxdb'))).to.equal(false);
  });

  it('refuses a trap port among the demo agents’ ports, and a bad push channel, before starting anything', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), `topology: ${resolve('topology.yaml')}\nsimulator:\n  basePort: 30000\nalarms:\n  trapPort: 30005\n`);
    let r = await runNms(['up', '--check'], { cwd: dir.path });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("alarms.trapPort 30005 falls among the simulator's agent ports 30000–30096; choose another");
    await writeFile(
      join(dir.path, 'nms.yaml'),
      `topology: ${resolve('topology.yaml')}\nalarms:\n  channels:\n    - { name: noc, kind: dingtalk, accessToken: { env: NMS_TEST_UNSET_TOKEN } }\n`,
    );
    r = await runNms(['up', '--check'], { cwd: dir.path });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('alarms.channels[0] (noc): environment variable NMS_TEST_UNSET_TOKEN is not set');
    expect(r.stderr).not.to.match(/\n\s+at /);
    expect(existsSync(join(dir.path, 'var/influxdb'))).to.equal(false);
  });

  it('says which port is taken and how to choose another', async () => {
    const squatter = createServer();
    await new Promise<void>((res) => squatter.listen(port, '127.0.0.1', res));
    try {
      const r = await runNms(['up', '--check'], { cwd: dir.path });
      expect(r.code).to.equal(1);
      expect(r.stderr.trim().split('\n').at(-1)).to.equal(
        `nms up: port 127.0.0.1:${port} for the managed InfluxDB is taken (EADDRINUSE); set influx.embeddedPort in nms.yaml`,
      );
    } finally {
      squatter.close();
    }
  });
});
