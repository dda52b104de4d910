/**
 * `nms up` killed with SIGKILL in the middle of an incident, then started
 * again: the alarm is still there, nobody is pushed twice, and the clear
 * comes once. The incident outlives the restart because the simulator's
 * scenario starts with the uplink down, as the real network would still be.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { waitFor } from '../support/processes.ts';
import { NMS_BIN } from '../support/runNms.ts';
import { startTestInflux, type TestInflux } from '../support/testInflux.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';

describe('alarms across a kill -9 of nms up (end to end)', function () {
  this.timeout(120_000);
  let dir: { path: string; remove(): Promise<void> };
  let influx: TestInflux;
  let rx: HttpReceiver;
  let child: ChildProcess | null = null;

  before(async () => {
    dir = await tempDir('alarm-restart');
    influx = await startTestInflux();
    rx = await startHttpReceiver();
    // Down from the simulator's first instant, so a restarted simulator finds it down too.
    await writeFile(join(dir.path, 'scenario.yaml'), 'start: 2026-11-23T09:30:00+08:00\ntimeline:\n  - { at: 2026-11-23T09:30:00+08:00, fault: link-down, circuit: HY-HYX, for: 1h }\n');
    await writeProductConfig(dir.path, {
      dataDir: join(dir.path, 'var'),
      influxUrl: influx.influx.url,
      simulator: ['  enabled: true', '  scenario: scenario.yaml'],
      alarms: ['  clearAfter: 2s', '  channels:', `    - { name: noc-hook, kind: webhook, url: "${rx.url}/hook" }`],
    });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rx?.close();
    await influx?.dispose();
    await dir?.remove();
  });

  const up = async (): Promise<ChildProcess> => {
    const c = spawn(process.execPath, [NMS_BIN, 'up'], { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor('nms up to be ready', async () => out.includes('Press Ctrl-C to stop.') || c.exitCode !== null, 60_000);
    if (c.exitCode !== null) throw new Error(`nms up exited ${c.exitCode}:\n${err.slice(-2000)}`);
    return c;
  };
  const pushes = () => rx.requests.map((r) => JSON.parse(r.body) as { id: string; reason: string; alarm: { id: string; subject: { id: string } } });

  it('keeps the alarm, repeats no push, and clears once', async () => {
    child = await up();
    await waitFor('the raise', async () => pushes().length === 1, 20_000);
    const raised = pushes()[0]!;
    expect([raised.reason, raised.alarm.subject.id]).to.deep.equal(['raised', 'HY-HYX']);
    // Let the journal record the push as sent, then kill it as a power cut would.
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    child = await up();
    // Polls and the uplink's trap come in again; nothing new may be pushed.
    await new Promise((r) => setTimeout(r, 8000));
    expect(pushes().map((p) => p.id)).to.deep.equal([raised.id]);

    const control = (JSON.parse(await readFile(join(dir.path, 'var', 'sim', 'sim.json'), 'utf8')) as { control: string }).control;
    const res = await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify({ fault: 'link-up', circuit: 'HY-HYX' }) });
    expect(res.status).to.equal(201);
    await waitFor('the clear', async () => pushes().some((p) => p.reason === 'cleared'), 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(pushes().map((p) => `${p.reason} ${p.alarm.id}`)).to.deep.equal([`raised ${raised.alarm.id}`, `cleared ${raised.alarm.id}`]);

    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  });
});
