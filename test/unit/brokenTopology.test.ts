/**
 * Broken topology files: every mistake must be reported, in one run, at the
 * line and column the fixture's own text says, and nothing else. Expectations
 * live as `#! token | message` comments in the fixtures (see their README).
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputFileError, type Diagnostic } from '../../shared/input/diagnostics.ts';
import { parseTopology } from '../../shared/model/loader.ts';

const DIR = 'test/fixtures/topology/broken';

interface Expected {
  line: number;
  column: number;
  message: string;
}

function expectationsOf(text: string): Expected[] {
  const out: Expected[] = [];
  text.split('\n').forEach((source, i) => {
    const [, ...markers] = source.split(/\s+(?=#!\^? )/);
    for (const marker of markers) {
      // "#!^" marks the line above, for errors where a comment would change how YAML parses the line.
      const lineNo = marker.startsWith('#!^') ? i : i + 1;
      const content = text.split('\n')[lineNo - 1]!.split(/\s+#!/)[0]!;
      const [token, message] = marker
        .replace(/^#!\^? /, '')
        .split(' | ')
        .map((s) => s.trim());
      const at = content.indexOf(token!);
      if (at < 0) throw new Error(`${DIR}: line ${lineNo}: marker token "${token}" is not on the line`);
      out.push({ line: lineNo, column: at + 1, message: message ?? '' });
    }
  });
  return out;
}

function diagnosticsOf(file: string, text: string): readonly Diagnostic[] {
  try {
    parseTopology(text, file);
  } catch (err) {
    expect(err).to.be.instanceOf(InputFileError);
    return (err as InputFileError).diagnostics;
  }
  throw new Error(`${file} loaded, but it is broken`);
}

const show = (ds: readonly { line: number; column: number; message: string }[]) => ds.map((d) => `  ${d.line}:${d.column} ${d.message}`).join('\n');

describe('broken topology files', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

  it('has the fixtures the issue asks for', () => {
    for (const kind of ['unknown-keys', 'duplicate-ids', 'missing-references', 'bad-bandwidth', 'site-cycle', 'inline-secrets', 'all-at-once']) {
      expect(files).to.include(`${kind}.yaml`);
    }
  });

  for (const name of files) {
    it(`${name}: reports every marked error at its line and column, and nothing else`, () => {
      const file = join(DIR, name);
      const text = readFileSync(file, 'utf8');
      const expected = expectationsOf(text);
      const got = diagnosticsOf(file, text);
      const unmatched = [...got];
      const missing: Expected[] = [];
      for (const e of expected) {
        const i = unmatched.findIndex((d) => d.line === e.line && d.column === e.column && d.message.includes(e.message));
        if (i >= 0) unmatched.splice(i, 1);
        else missing.push(e);
      }
      expect(missing, `expected but not reported:\n${show(missing)}\nreported:\n${show(got)}`).to.deep.equal([]);
      expect(unmatched, `reported but not expected:\n${show(unmatched)}`).to.deep.equal([]);
      for (const d of got) expect(d.file).to.equal(file);
    });
  }

  it('reports the YAML path of each problem', () => {
    const file = join(DIR, 'all-at-once.yaml');
    const paths = diagnosticsOf(file, readFileSync(file, 'utf8')).map((d) => d.path);
    expect(paths).to.include.members([
      'snmpProfiles.v2.community',
      'sites[1].parent',
      'devices[0].location',
      'circuits[0].bandwidth',
      'circuits[0].z.device',
      'circuits[1].id',
    ]);
  });

  it('formats each problem as file:line:column: path: message', () => {
    const file = join(DIR, 'all-at-once.yaml');
    try {
      parseTopology(readFileSync(file, 'utf8'), file);
    } catch (err) {
      const lines = (err as Error).message.split('\n');
      expect(lines[0]).to.equal(`${file}: 8 problems`);
      expect(lines).to.include(`${file}:38:5: devices[0].location: unknown key "location"`);
      return;
    }
    expect.fail('loaded a broken file');
  });

  it('never repeats an inline secret in its messages', () => {
    const file = join(DIR, 'inline-secrets.yaml');
    const text = readFileSync(file, 'utf8');
    const all = diagnosticsOf(file, text)
      .map((d) => `${d.path} ${d.message}`)
      .join('\n');
    for (const secret of ['s3cr3t-community', 'auth-key-in-clear', 'robot-token-in-clear']) {
      expect(all).not.to.include(secret);
    }
  });

  it('never half-loads: a file with one bad circuit yields no model at all', () => {
    const good = readFileSync('test/fixtures/topology/minimal.yaml', 'utf8');
    expect(parseTopology(good, 'minimal.yaml').circuits).to.have.length(1);
    const bad = good.replace('bandwidth: 10M', 'bandwidth: ten');
    expect(() => parseTopology(bad, 'minimal.yaml')).to.throw(InputFileError, /not a rate/);
  });
});
