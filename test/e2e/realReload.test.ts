/**
 * `nms reload` on a real network (`production: true`): Debian's snmpd in two
 * network namespaces this test makes (198.18.0.0/15), real kernel counters,
 * links shaped by tc. nms starts knowing one router; the reload adds the
 * second, whose address the production target rule allows only from then
 * on. Truth is the kernel's own counters, read inside each namespace.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestHost, startTraffic, type CounterLog } from '../support/netns.ts';
import { stopChild, waitFor } from '../support/processes.ts';
import { writeProductionConfig } from '../support/productConfig.ts';
import { NMS_BIN, runNms } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COMMUNITY = `rl-${process.pid}-community`;
const tag = String(process.pid % 100_000);
const POLL_S = 10;

const model = (withB: boolean) => `
version: 1
network: { id: rl-lab, name: { zh: 重载测试, en: Reload lab }, timezone: Asia/Shanghai }
snmpProfiles:
  rl: { version: 2c, community: { env: RL_COMMUNITY } }
slaTiers:
  lab: { availability: 99.9, utilizationWarn: 80, utilizationCritical: 95 }
sites:
  - { id: lab, level: city, name: { zh: 实验室, en: Lab }, location: [112.57, 26.89], contact: { name: 测试, phone: "0734-0000000" } }
devices:
  - { id: a-rtr, site: lab, role: core, vendor: generic, address: 198.18.40.2, snmp: rl, pollInterval: ${POLL_S}s }
${withB ? `  - { id: b-rtr, site: lab, role: core, vendor: generic, address: 198.18.50.2, snmp: rl, pollInterval: ${POLL_S}s }` : ''}
circuits:
  - { id: RL-A, carrier: telecom, carrierCircuitId: RL-1, bandwidth: 2M, a: { device: a-rtr, ifName: wan0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab, probe: false }
${withB ? '  - { id: RL-B, carrier: unicom, carrierCircuitId: RL-2, bandwidth: 2M, a: { device: b-rtr, ifName: wan0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab, probe: false }' : ''}
`;

describe('real network: nms reload adds a router in production, polled from then on', function () {
  this.timeout(5 * 60_000);
  const hosts: TestHost[] = [];
  const truth: Record<string, CounterLog> = {};
  let dir: { path: string; remove(): Promise<void> };
  let nms: ChildProcess | null = null;
  let traffic: ChildProcess | null = null;
  let output = '';
  const env = { ...process.env, RL_COMMUNITY: COMMUNITY, NMS_DEBUG: '' };

  const query = async (q: string): Promise<Array<[number, number, number]>> => {
    const influxUrl = /influxdb\s+managed (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const res = await fetch(`${influxUrl}/query?db=nms&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: Array<{ series?: Array<{ values: Array<[number, number, number]> }> }> };
    return body.results[0]?.series?.[0]?.values ?? [];
  };

  before(async () => {
    dir = await tempDir('realreload');
    for (const [name, net] of [
      ['a', 40],
      ['b', 50],
    ] as const) {
      const h = await TestHost.create(`rl${name}`);
      hosts.push(h);
      await h.link(`r${tag}${name}0`, `198.18.${net}.1`, 'mgmt0', `198.18.${net}.2`);
      await h.shape(await h.link(`r${tag}${name}1`, `198.18.${net + 1}.1`, 'wan0', `198.18.${net + 1}.2`), '2mbit');
      await h.startSnmpd(dir.path, [`rocommunity ${COMMUNITY} 198.18.${net}.1`], [`udp:198.18.${net}.2:161`], async () => {
        try {
          await exec('snmpget', ['-m', '', '-v2c', '-c', COMMUNITY, '-t', '1', '-r', '0', `198.18.${net}.2`, '1.3.6.1.2.1.1.3.0']);
          return true;
        } catch {
          return false;
        }
      });
      truth[name] = h.sampleCounters('wan0');
    }
    traffic = startTraffic(['198.18.41.2', '198.18.51.2'], 1_500_000, 200);
    await writeProductionConfig(dir.path, model(false), env);
    nms = spawn(process.execPath, [NMS_BIN, 'up', '--config', 'nms.yaml'], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
    nms.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    nms.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('nms up to be ready', () => output.includes('Press Ctrl-C to stop.') || nms!.exitCode !== null, 90_000);
    expect(output, output).to.include('Press Ctrl-C to stop.');
  });

  after(async () => {
    if (nms) await stopChild(nms, 30_000);
    if (traffic) await stopChild(traffic, 5000);
    for (const h of hosts) await h.remove();
    await dir?.remove();
  });

  it('polls the added router from the reload on, and the kept one without a break, both as the kernel counted', async () => {
    await sleep(30_000);
    const reloadAt = Date.now();
    await writeFile(join(dir.path, 'topology.yaml'), model(true));
    const r = await runNms(['reload', '--config', 'nms.yaml', '--json'], { cwd: dir.path, env, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr + output.slice(-2000)).to.equal(0);
    const result = JSON.parse(r.stdout) as { outcome: string; devices: { added: string[]; changed: string[] }; notes: string[] };
    expect(result.outcome).to.equal('applied');
    expect(result.devices).to.deep.include({ added: ['b-rtr'], changed: [] });
    expect(result.notes, 'nothing left unpolled').to.deep.equal([]);
    await sleep(50_000);

    for (const [circuit, host, fromMs] of [
      ['RL-A', 'a', reloadAt - 25_000],
      ['RL-B', 'b', reloadAt],
    ] as const) {
      const points = await query(`SELECT in_bps, interval_s FROM circuit_traffic WHERE circuit = '${circuit}' AND time >= ${fromMs}ms`);
      expect(points.length, `${circuit}: rates`).to.be.at.least(circuit === 'RL-A' ? 6 : 3);
      for (const [k, [t, , i]] of points.entries())
        if (k > 0) expect(Math.abs(t - i * 1000 - points[k - 1]![0]), `${circuit}: the interval up to ${t} joins the one before`).to.be.below(50);
      const start = points[0]![0] - points[0]![2] * 1000;
      const end = points.at(-1)![0];
      const read = points.reduce((s, [, v, i]) => s + v * i, 0);
      const kernel = truth[host]!.at(end, 'rx') * 8 - truth[host]!.at(start, 'rx') * 8;
      expect(kernel, `${circuit}: bits the kernel counted`).to.be.above(1e6);
      // snmpd reads the kernel's counters every few seconds: the ends of the span may be that much apart.
      expect(Math.abs(read - kernel) / kernel, `${circuit}: read ${read} bits, the kernel counted ${kernel}`).to.be.below(0.05);
    }
  });
});
