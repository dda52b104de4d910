/**
 * The `nms` command line, run as a process: exit codes, help on every
 * subcommand, clear errors without stack traces, and the topology tree whose
 * figures are recomputed here from the raw YAML.
 */
import { expect } from 'chai';
import { verifyLogin } from '../../server/http/users.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runNms } from '../support/runNms.ts';

const SUBCOMMANDS = ['up', 'validate', 'topology', 'sim', 'fault', 'poll', 'schema', 'user'];

describe('nms command line', function () {
  this.timeout(60_000);

  it('lists its commands with --help and exits 0', async () => {
    const r = await runNms(['--help']);
    expect(r.code).to.equal(0);
    for (const c of SUBCOMMANDS) expect(r.stdout).to.match(new RegExp(`^  ${c} `, 'm'));
  });

  for (const c of SUBCOMMANDS) {
    it(`nms ${c} --help prints its usage and exits 0`, async () => {
      const r = await runNms([c, '--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^Usage: nms ${c}`));
    });
  }

  it('refuses an unknown command or flag with exit 2 and no stack trace', async () => {
    const unknown = await runNms(['frobnicate']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('unknown command "frobnicate"');
    const flag = await runNms(['validate', '--colour']);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.include("Unknown option '--colour'");
    expect(flag.stderr + unknown.stderr).not.to.match(/\n\s+at /);
  });

  it('nms validate topology.yaml passes', async () => {
    const r = await runNms(['validate', 'topology.yaml']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/topology\.yaml: valid: \d+ sites, \d+ devices, 97 circuits/);
  });

  it('nms validate warns when a file cut short drops many of the circuits nms last ran with', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { recordRun } = await import('../../server/storage/lastRunTopology.ts');
    const { loadTopology } = await import('../../shared/model/loader.ts');
    const dir = mkdtempSync(join(tmpdir(), 'nms-cut-'));
    try {
      recordRun(dir, await loadTopology('topology.yaml'), Date.now());
      // Cut just before the 48th circuit: still valid YAML and a valid model, half the network gone.
      const text = readFileSync('topology.yaml', 'utf8');
      let at = text.indexOf('\ncircuits:');
      for (let n = 0; n < 48; n++) at = text.indexOf('\n  - id: ', at + 1);
      writeFileSync(join(dir, 'cut.yaml'), text.slice(0, at));
      const r = await runNms(['validate', join(dir, 'cut.yaml')], { env: { NMS_DATA_DIR: dir } });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/valid: .* 47 circuits/);
      expect(r.stderr).to.match(/warning: 50 of the 97 circuits nms last ran with .* are not in .*cut\.yaml/);
      expect(r.stderr).to.match(/warning: .*cut\.yaml does not end with a line break: was it cut short\?/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nms validate on a broken file exits 1 and lists every problem as file:line:column', async () => {
    const file = 'test/fixtures/topology/broken/all-at-once.yaml';
    const r = await runNms(['validate', file]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).to.equal(`${file}: 8 problems`);
    for (const l of lines.slice(1)) expect(l).to.match(new RegExp(`^${file}:\\d+:\\d+: \\S+: `));
    expect(r.stderr).not.to.match(/\n\s+at /);
  });

  it('nms validate names a missing file plainly', async () => {
    const r = await runNms(['validate', 'no-such.yaml']);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal('nms validate: cannot read topology file no-such.yaml: no such file');
  });

  it('nms topology prints the province → city → county → department tree with circuit counts and bandwidth sums', async () => {
    const raw = parse(readFileSync('topology.yaml', 'utf8')) as {
      sites: Array<{ id: string; parent?: string; name: { zh: string; en: string } }>;
      circuits: Array<{ owner: string; bandwidth: string }>;
    };
    const r = await runNms(['topology']);
    expect(r.code).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.match(/^湖南省 Hunan Province \[省\/province\] {2}97 circuits/);
    expect(lines[1]).to.match(/^├── |^└── /);

    // For each county, recompute its subtree's circuits from the raw file and find them on its line.
    const parent = new Map(raw.sites.map((s) => [s.id, s.parent]));
    const under = (site: string, ancestor: string) => {
      for (let s: string | undefined = site; s; s = parent.get(s)) if (s === ancestor) return true;
      return false;
    };
    const mbps = (bw: string) => Number(bw.replace('M', ''));
    for (const county of raw.sites.filter((s) => s.id.length === 3 && parent.get(s.id) === 'hy')) {
      const owned = raw.circuits.filter((c) => under(c.owner, county.id));
      const sum = owned.reduce((s, c) => s + mbps(c.bandwidth), 0);
      const line = lines.find((l) => l.includes(`${county.name.zh} ${county.name.en} [县/county]`));
      expect(line, county.id).to.exist;
      expect(line).to.include(`${owned.length} circuit${owned.length === 1 ? '' : 's'}: `);
      expect(line).to.match(new RegExp(`= ${sum}M$`));
    }
    expect(lines.at(-2)).to.match(/^Total: 97 circuits: .* = 1452M$/);
  });

  it('nms topology --level county --names zh stops at counties and speaks Chinese', async () => {
    const r = await runNms(['topology', '--level', 'county', '--names', 'zh']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('衡阳县 [县]');
    expect(r.stdout).not.to.include('[部门]');
    expect(r.stdout).not.to.include('Hengyang');
    expect(r.stdout).to.include('合计: 97条电路');
  });

  it('nms topology --circuits lists each circuit with carrier and carrier number', async () => {
    const r = await runNms(['topology', '--circuits', '--names', 'en']);
    expect(r.stdout).to.match(/⇄ HY-HYX 10M China Telecom HYDX-MSTP10M-0001/);
    expect(r.stdout.match(/⇄ /g)).to.have.length(97);
  });

  it('nms topology rejects a bad --level', async () => {
    const r = await runNms(['topology', '--level', 'village']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--level must be one of province, city, county, department');
  });

  it('nms schema prints every measurement and retention policy', async () => {
    const r = await runNms(['schema']);
    expect(r.code).to.equal(0);
    for (const m of ['circuit_traffic', 'circuit_status', 'interface_traffic', 'device_health', 'alarm_event', 'collector_stats']) {
      expect(r.stdout).to.include(`## \`${m}\``);
    }
    for (const rp of ['raw', 'rollup_5m', 'rollup_1h']) expect(r.stdout).to.include(`| \`${rp}\` |`);
  });

  it('nms user hash makes a scrypt hash that logs the user in, and refuses a short password', async () => {
    const r = await runNms(['user', 'hash'], { stdin: 'correct horse battery\n' });
    expect(r.code, r.stderr).to.equal(0);
    const hash = r.stdout.trim();
    expect(hash).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.to.contain('correct horse');
    const users = [{ username: 'noc', role: 'operator' as const, passwordHash: hash }];
    expect(verifyLogin(users, 'noc', 'correct horse battery')?.username).to.equal('noc');
    expect(verifyLogin(users, 'noc', 'wrong')).to.equal(null);
    const short = await runNms(['user', 'hash'], { stdin: 'short\n' });
    expect(short.code).to.equal(2);
    expect(short.stderr).to.contain('at least 8 characters');
  });
});
