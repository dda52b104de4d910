import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/config.ts';
import { loadSecretSources } from '../../shared/config/secretsFile.ts';
import { InputFileError } from '../../shared/input/diagnostics.ts';
import { resolveSecret } from '../../shared/secret.ts';
import { tempDir } from '../support/tempDir.ts';

describe('configuration', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('config');
  });
  afterEach(() => dir.remove());

  it('runs on embedded defaults when there is no config file', async () => {
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect(c.file).to.equal(null);
    expect(c.influx).to.deep.equal({ mode: 'embedded', port: 18086, database: 'nms' });
    expect(c.topologyFile).to.equal(join(dir.path, 'topology.yaml'));
    expect(c.dataDir).to.equal(join(dir.path, 'var'));
    expect(c.production).to.equal(false);
    expect(c.collector).to.deep.equal({ intervalSeconds: null, maxInFlight: 64, probeIntervalSeconds: null });
    expect(c.alarms.quality).to.deep.equal({ windowSeconds: null, sustainSeconds: null, clearAfterSeconds: null });
    expect(c.simulator.enabled).to.equal(true);
  });

  it('reads the poller and centre roles, and says where a role lacks what it needs or the bus is off loopback', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), 'role: poller\nbus: { servers: ["nats://127.0.0.1:4222"], domain: hy }\npoller: { name: hy }\n');
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect([c.role, c.bus, c.poller, c.centre]).to.deep.equal([
      'poller',
      { servers: ['nats://127.0.0.1:4222'], domain: 'hy', replicas: 1 },
      { name: 'hy', heartbeatSeconds: 10, localAlarms: false },
      null,
    ]);
    await writeFile(join(dir.path, 'nms.yaml'), 'role: centre\nbus: { servers: ["nats://10.1.0.1:4222"] }\npoller: { name: hy, sites: [x] }\n');
    const err = String(await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e));
    expect(err).to.match(/nms\.yaml:1:\d+: role: role centre needs centre: /);
    expect(err).to.match(/nms\.yaml:3:\d+: poller: poller: is for role poller; this is role centre/);
    expect(err).to.match(/nms\.yaml:2:\d+: bus\.servers\[0\]: nats:\/\/10\.1\.0\.1:4222 is not on loopback/);
    await writeFile(join(dir.path, 'nms.yaml'), 'role: poller\nbus: { servers: ["10.1.0.1:4222"] }\npoller: { name: "hy.city" }\n');
    const bad = String(await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e));
    expect(bad)
      .to.match(/bus\.servers\[0\]: must be nats:\/\/host:port/)
      .and.to.match(/poller\.name: must be letters, digits/);
    await writeFile(
      join(dir.path, 'nms.yaml'),
      'role: poller\nbus: { servers: ["nats://127.0.0.1:4222"] }\npoller: { name: hy, localAlarms: true, heartbeat: 2s }\n',
    );
    expect(String(await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e))).to.match(
      /nms\.yaml:3:\d+: poller\.localAlarms: localAlarms: true pushes through alarms\.channels, and this file names none/,
    );
    // What a poller polls is the centre's: a poller's file that says it is refused, each at its place.
    await writeFile(
      join(dir.path, 'nms.yaml'),
      'role: poller\nbus: { servers: ["nats://127.0.0.1:4222"] }\ntopology: t.yaml\ncollector: { interval: 1s }\nalarms: { clearAfter: 2s }\npoller: { name: hy, sites: [hy] }\n',
    );
    const own = String(await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e));
    expect(own).to.match(/nms\.yaml:3:\d+: topology: the topology is the centre's: a poller is given it over the bus/);
    expect(own).to.match(/nms\.yaml:4:\d+: collector: what is polled when is the centre's/);
    expect(own).to.match(/nms\.yaml:5:\d+: alarms\.clearAfter: alarms\.clearAfter is the centre's/);
    expect(own).to.match(/nms\.yaml:6:\d+: poller\.sites: a poller's share is the centre's/);
    await writeFile(
      join(dir.path, 'nms.yaml'),
      'role: centre\nbus: { servers: ["nats://127.0.0.1:4222"] }\ncentre: { pollers: [{ name: hy, sites: [hy] }], silentAfter: 2m }\n',
    );
    expect((await loadConfig({ env: {}, cwd: dir.path })).centre).to.deep.equal({
      pollers: [{ name: 'hy', sites: ['hy'], domain: null }],
      silentAfterSeconds: 120,
    });
  });

  it('reads the probe interval and the quality alarm timings, as durations', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), 'collector:\n  probeInterval: 30s\nalarms:\n  quality: { window: 10m, sustain: 5m, clearAfter: 10m }\n');
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect(c.collector.probeIntervalSeconds).to.equal(30);
    expect(c.alarms.quality).to.deep.equal({ windowSeconds: 600, sustainSeconds: 300, clearAfterSeconds: 600 });
    await writeFile(join(dir.path, 'nms.yaml'), 'alarms:\n  quality: { window: soon }\n');
    const err = await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e);
    expect(String(err)).to.match(/nms\.yaml:2:\d+: alarms\.quality\.window: "soon" is not a duration/);
  });

  it('reads nms.yaml, resolving paths against its folder', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), 'topology: net/hy.yaml\ndataDir: /srv/nms\ninflux:\n  embeddedPort: 19086\n');
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect(c.topologyFile).to.equal(join(dir.path, 'net/hy.yaml'));
    expect(c.dataDir).to.equal('/srv/nms');
    expect(c.influx).to.deep.equal({ mode: 'embedded', port: 19086, database: 'nms' });
  });

  it('uses an external InfluxDB when a URL is configured, by file or NMS_INFLUX_URL', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), 'influx:\n  url: http://127.0.0.1:8086\n  username: nms\n  password: { env: NMS_INFLUX_PASSWORD }\n');
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect(c.influx).to.deep.equal({
      mode: 'external',
      api: 1,
      url: 'http://127.0.0.1:8086',
      database: 'nms',
      username: 'nms',
      password: { env: 'NMS_INFLUX_PASSWORD' },
    });
    const e = await loadConfig({ env: { NMS_INFLUX_URL: 'http://127.0.0.2:9999' }, cwd: dir.path });
    expect(e.influx.mode === 'external' && e.influx.url).to.equal('http://127.0.0.2:9999');
  });

  it('takes the v2 write API with org, bucket and a token reference, and checks the keys belong to the version', async () => {
    const file = join(dir.path, 'nms.yaml');
    await writeFile(file, 'influx:\n  api: 2\n  url: http://127.0.0.1:8428\n  org: hunan\n  bucket: nms\n  token: { env: NMS_INFLUX_TOKEN }\n');
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect(c.influx).to.deep.equal({ mode: 'external', api: 2, url: 'http://127.0.0.1:8428', org: 'hunan', bucket: 'nms', token: { env: 'NMS_INFLUX_TOKEN' } });
    expect(c.simulator.enabled).to.equal(false);

    await writeFile(file, 'influx:\n  api: 2\n  url: http://127.0.0.1:8428\n  database: nms\n  token: abc\n');
    const err = await loadConfig({ env: {}, cwd: dir.path }).catch((e: unknown) => e);
    expect((err as Error).message.split('\n').slice(1)).to.deep.equal([
      `${file}:2:3: influx: api 2 needs org`,
      `${file}:2:3: influx: api 2 needs bucket`,
      `${file}:4:13: influx.database: api 2 does not use database; give org, bucket and token`,
      `${file}:5:10: influx.token: secret written inline; reference it instead, e.g. { env: NMS_SNMP_COMMUNITY } or { secret: <entry in secrets.yaml> }`,
    ]);
    await writeFile(file, 'influx:\n  url: http://127.0.0.1:8086\n  bucket: nms\n');
    const v1 = await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e);
    expect((v1 as Error).message).to.include(`${file}:3:11: influx.bucket: bucket is for api 2 (the v2 write API); set api: 2`);
  });

  it('rejects unknown keys, bad values and inline secrets with file:line:column', async () => {
    const file = join(dir.path, 'nms.yaml');
    await writeFile(file, 'influx:\n  url: ftp://x\n  pasword: { env: X }\n  password: hunter2\nverbose: true\n');
    const err = await loadConfig({ env: {}, cwd: dir.path }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InputFileError);
    const lines = (err as Error).message.split('\n').slice(1);
    expect(lines).to.deep.equal([
      `${file}:2:8: influx.url: must be an http:// or https:// URL`,
      `${file}:3:3: influx.pasword: unknown key "pasword"`,
      `${file}:4:13: influx.password: secret written inline; reference it instead, e.g. { env: NMS_SNMP_COMMUNITY } or { secret: <entry in secrets.yaml> }`,
      `${file}:5:1: verbose: unknown key "verbose"`,
    ]);
    expect((err as Error).message).not.to.include('hunter2');
  });

  it('reads the alarms section, with planned work in its own zone, and places a bad window', async () => {
    await writeFile(
      join(dir.path, 'nms.yaml'),
      'alarms:\n  trapPort: 20162\n  language: en\n  maintenance:\n    - { subjects: [hyx], from: "2026-11-28T22:00:00+08:00", to: "2026-11-29T02:00:00+08:00", reason: 割接 }\n',
    );
    const c = await loadConfig({ env: {}, cwd: dir.path });
    expect(c.alarms).to.deep.include({ trapPort: 20162, trapAddress: '127.0.0.1', language: 'en', channels: [], onCall: null });
    expect(c.alarms.maintenance).to.deep.equal([
      { subjects: ['hyx'], fromMs: Date.parse('2026-11-28T14:00:00Z'), toMs: Date.parse('2026-11-28T18:00:00Z'), reason: '割接' },
    ]);
    await writeFile(
      join(dir.path, 'nms.yaml'),
      'alarms:\n  maintenance:\n    - { subjects: [hyx], from: "2026-11-29T02:00:00+08:00", to: "2026-11-28T22:00:00+08:00", reason: x }\n',
    );
    const err = await loadConfig({ env: {}, cwd: dir.path }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(InputFileError);
    expect((err as Error).message).to.contain('nms.yaml:3:');
    expect((err as Error).message).to.contain('alarms.maintenance[0].to: must be after from');
  });

  it('names a config file that does not exist', async () => {
    const err = await loadConfig({ explicitFile: 'nope.yaml', env: {}, cwd: dir.path }).catch((e: Error) => e);
    expect((err as Error).message).to.equal(`cannot read config file ${join(dir.path, 'nope.yaml')}: no such file`);
  });

  it('accepts an empty secrets file', async () => {
    const file = join(dir.path, 'secrets.yaml');
    await writeFile(file, '# no secrets yet\n');
    expect((await loadSecretSources(file, {})).file).to.deep.equal({});
  });

  it('resolves secret references from the environment and the secrets file', async () => {
    const file = join(dir.path, 'secrets.yaml');
    // Values in the secrets file are secrets by design, whatever their names.
    await writeFile(file, 'legacy-cpe-community: s3cret\ntoken: robot\n');
    const sources = await loadSecretSources(file, { NMS_SNMP_CPE_COMMUNITY: 'from-env' });
    expect(resolveSecret({ secret: 'legacy-cpe-community' }, sources).reveal()).to.equal('s3cret');
    expect(resolveSecret({ env: 'NMS_SNMP_CPE_COMMUNITY' }, sources).reveal()).to.equal('from-env');
    expect(resolveSecret({ secret: 'token' }, sources).reveal()).to.equal('robot');
    expect(() => resolveSecret({ env: 'NMS_MISSING' }, sources)).to.throw('environment variable NMS_MISSING is not set (export NMS_MISSING=...)');
    expect(() => resolveSecret({ secret: 'nope' }, sources)).to.throw(`secrets-file entry "nope" is not set (add "nope: ..." to ${file})`);
  });
});
