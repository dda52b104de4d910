/**
 * `nms up` killed with SIGKILL in the middle of an incident, then started
 * again: the alarm is still there, nobody is pushed twice, and the clear
 * comes once. The incident outlives the restart because the simulator's
 * scenario starts with the uplink down, as the real network would still be.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { isAlive, waitFor } from '../support/processes.ts';
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
    await writeFile(
      join(dir.path, 'scenario.yaml'),
      'start: 2026-11-23T09:30:00+08:00\ntimeline:\n  - { at: 2026-11-23T09:30:00+08:00, fault: link-down, circuit: HY-HYX, for: 1h }\n',
    );
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

describe('pushes caught in flight by a kill -9 of nms up, on the managed InfluxDB (end to end)', function () {
  this.timeout(180_000);
  let dir: { path: string; remove(): Promise<void> };
  let hook: HttpReceiver;
  let ding: HttpReceiver;
  let child: ChildProcess | null = null;
  let output = '';
  /** Answers held until released: the receivers take the request and say nothing. */
  let release: () => void = () => undefined;
  const held = () => new Promise<{ status: number; body: string }>((r) => (release = () => r({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' })));

  before(async () => {
    dir = await tempDir('inflight');
    hook = await startHttpReceiver();
    ding = await startHttpReceiver();
    const gate = held();
    hook.respond = () => gate;
    ding.respond = () => gate;
    await writeFile(
      join(dir.path, 'scenario.yaml'),
      'start: 2026-11-23T09:30:00+08:00\ntimeline:\n  - { at: 2026-11-23T09:30:00+08:00, fault: link-down, circuit: HY-HYX, for: 1h }\n',
    );
    // No influxUrl: the managed influxd, which a kill -9 of nms leaves running.
    await writeProductConfig(dir.path, {
      dataDir: join(dir.path, 'var'),
      simulator: ['  enabled: true', '  scenario: scenario.yaml'],
      alarms: [
        '  clearAfter: 2s',
        '  channels:',
        `    - { name: noc-hook, kind: webhook, url: "${hook.url}/hook" }`,
        `    - { name: noc-ding, kind: dingtalk, url: "${ding.url}/robot/send", accessToken: { env: TEST_DING_TOKEN } }`,
      ],
    });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    release();
    await hook?.close();
    await ding?.close();
    await dir?.remove();
  });

  const up = async (): Promise<ChildProcess> => {
    const c = spawn(process.execPath, [NMS_BIN, 'up'], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TEST_DING_TOKEN: 'ding-token-for-tests' },
    });
    output = '';
    c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('nms up to be ready', async () => output.includes('Press Ctrl-C to stop.') || c.exitCode !== null, 90_000);
    if (c.exitCode !== null) throw new Error(`nms up exited ${c.exitCode}:\n${output.slice(-3000)}`);
    return c;
  };
  const ids = (rx: HttpReceiver) => rx.requests.map((r) => String(r.headers['x-nms-delivery'] ?? JSON.parse(r.body).markdown?.title ?? r.body));
  const journalPushes = async () =>
    (await readFile(join(dir.path, 'var', 'alarms', 'journal.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: string; push?: { id: string; channel: string; state: string } })
      .filter((r) => r.t === 'push')
      .map((r) => r.push!);

  it('restarts past the orphaned influxd, sends the webhook push again by its id, and leaves the robot push uncertain, never sent twice', async () => {
    child = await up();
    const influxPid = Number((await readFile(join(dir.path, 'var', 'influxdb', 'influxd.pid'), 'utf8')).split(/\s+/)[0]);
    await waitFor('both raises to reach their receivers', async () => hook.requests.length === 1 && ding.requests.length === 1, 30_000);
    const raised = ids(hook)[0]!;
    // A power cut of the nms process while both receivers hold their answer.
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    expect(isAlive(influxPid), 'the managed influxd outlived nms').to.equal(true);
    release();
    hook.respond = () => ({ status: 200, body: '{}' });
    ding.respond = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });

    child = await up();
    expect(output).to.include(`influxd ${influxPid} on`);
    // The webhook's receiver drops a repeat by X-NMS-Delivery: it may, and does, get it again.
    await waitFor('the webhook push sent again', async () => hook.requests.length === 2, 30_000);
    expect(ids(hook)).to.deep.equal([raised, raised]);
    await new Promise((r) => setTimeout(r, 3000));
    expect(ding.requests, 'a robot message is never sent twice').to.have.length(1);
    const states = new Map((await journalPushes()).map((p) => [p.id, p]));
    const dingPush = [...states.values()].find((p) => p.channel === 'noc-ding')!;
    expect(dingPush.state).to.equal('uncertain');
    expect(states.get(raised)?.state).to.equal('sent');
    expect(output).to.match(/push .*noc-ding: uncertain/);

    // The incident goes on: its clear reaches each receiver once.
    const control = (JSON.parse(await readFile(join(dir.path, 'var', 'sim', 'sim.json'), 'utf8')) as { control: string }).control;
    expect((await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify({ fault: 'link-up', circuit: 'HY-HYX' }) })).status).to.equal(201);
    await waitFor('both clears', async () => hook.requests.length === 3 && ding.requests.length === 2, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(new Set(ids(hook)).size, 'one raise and one clear by id').to.equal(2);
    expect(ding.requests).to.have.length(2);

    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    expect(isAlive(influxPid)).to.equal(false);
    expect(existsSync(join(dir.path, 'var', 'influxdb', 'influxd.pid')), 'nothing left running').to.equal(false);
  });
});
