import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../../shared/config/config.ts';
import { loadSecretSources } from '../../../shared/config/secretsFile.ts';
import { memoryLogger } from '../../../shared/log.ts';
import { parseTopology } from '../../../shared/model/loader.ts';
import { checkReload, type RunningModel } from '../../../server/reload/reloadCheck.ts';
import { tempDir } from '../../support/tempDir.ts';

const env = { TEST_COMMUNITY: 'reload-check-community' };

describe('reload check: what a running nms takes from its files, and what it refuses', () => {
  let dir: { path: string; remove(): Promise<void> };
  let running: RunningModel;
  let minimal: string;
  const nmsYaml = (extra = '') => `topology: ${join(dir.path, 'topology.yaml')}\ndataDir: ${dir.path}\nsimulator:\n  enabled: false\n${extra}`;
  const check = () => checkReload(running, env, dir.path, memoryLogger());

  beforeEach(async () => {
    dir = await tempDir('reloadcheck');
    minimal = await readFile('test/fixtures/topology/minimal.yaml', 'utf8');
    await writeFile(join(dir.path, 'topology.yaml'), minimal);
    await writeFile(join(dir.path, 'nms.yaml'), nmsYaml());
    const config = await loadConfig({ explicitFile: join(dir.path, 'nms.yaml'), env, cwd: dir.path });
    running = {
      config,
      topology: parseTopology(minimal, config.topologyFile),
      topologyText: minimal,
      sources: await loadSecretSources(config.secretsFile, env),
    };
  });
  afterEach(() => dir.remove());

  it('finds nothing to do in the files as running', async () => {
    const r = await check();
    expect(r.ok && r.unchanged, JSON.stringify(r)).to.equal(true);
  });

  it('takes reloadable settings, and names each setting that takes a restart', async () => {
    await writeFile(join(dir.path, 'nms.yaml'), nmsYaml('alarms:\n  upstreamWait: 20s\n'));
    const ok = await check();
    expect(ok.ok && !ok.unchanged, JSON.stringify(ok)).to.equal(true);
    await writeFile(join(dir.path, 'nms.yaml'), nmsYaml('alarms:\n  upstreamWait: 20s\n  trapPort: 16999\ncollector:\n  maxInFlight: 8\n'));
    const refused = await check();
    expect(refused.ok).to.equal(false);
    const problems = refused.ok ? [] : refused.problems;
    expect(problems).to.have.length(2);
    expect(problems.join('\n')).to.match(/nms\.yaml: alarms\.trapPort: changed; this setting takes a restart/);
    expect(problems.join('\n')).to.match(/nms\.yaml: collector\.maxInFlight: changed; this setting takes a restart/);
  });

  it("refuses another network's id or time zone, and a new device whose credentials do not resolve, saying where", async () => {
    const next = minimal
      .replace('timezone: Asia/Shanghai', 'timezone: Asia/Urumqi')
      .replace('snmpProfiles:\n', 'snmpProfiles:\n  v3x:\n    version: 2c\n    community: { env: NOT_SET_ANYWHERE }\n')
      .replace('circuits:\n', '  - { id: new-rtr, site: hyx, role: county, vendor: h3c, address: 10.43.10.2, snmp: v3x }\ncircuits:\n');
    await writeFile(join(dir.path, 'topology.yaml'), next);
    const r = await check();
    expect(r.ok).to.equal(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.join('\n')).to.match(/network\.timezone: "Asia\/Shanghai" → "Asia\/Urumqi"; .* takes a restart/);
    // The credentials are checked only once the model may run: the time zone stops it first. Alone, the device is refused.
    await writeFile(join(dir.path, 'topology.yaml'), next.replace('timezone: Asia/Urumqi', 'timezone: Asia/Shanghai'));
    const alone = await check();
    expect(alone.ok ? [] : alone.problems).to.deep.equal([
      `${join(dir.path, 'topology.yaml')}: device new-rtr: snmp profile v3x: environment variable NOT_SET_ANYWHERE is not set (export NOT_SET_ANYWHERE=...)`,
    ]);
  });

  it('lists a broken topology file by line, and leaves the running model as it was', async () => {
    await writeFile(
      join(dir.path, 'topology.yaml'),
      minimal.replace('bandwidth: 10M', 'bandwidth: fast').replace('a: { device: core-1,', 'a: { device: core-9,'),
    );
    const r = await check();
    expect(r.ok).to.equal(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.length).to.be.at.least(2);
    for (const p of problems) expect(p).to.match(new RegExp(`^${join(dir.path, 'topology.yaml').replaceAll('/', '\\/')}:\\d+:\\d+: `));
    expect(problems.join('\n'))
      .to.match(/bandwidth/)
      .and.to.match(/core-9/);
    expect(running.topology.circuits.map((c) => c.bandwidthBps)).to.deep.equal([10_000_000]);
  });
});
