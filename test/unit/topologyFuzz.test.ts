/**
 * The loader against hostile and broken topology files: the cases the issue
 * found (deep nesting, invisible characters, invalid UTF-8, huge strings) and
 * a few hundred seeded mutations of the real topology.yaml. None may throw
 * anything but a located input error, and none may take a second.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeInput } from '../../shared/input/inputBounds.ts';
import { InputFileError } from '../../shared/input/diagnostics.ts';
import { parseTopology } from '../../shared/model/loader.ts';

const FILE = 'topology.yaml';
const REAL = readFileSync(FILE);

/** The loader's verdict on raw bytes: a model, or its located problems. */
function load(bytes: Buffer): { ok: true; circuits: number } | { ok: false; problems: InputFileError['diagnostics'] } {
  const decoded = decodeInput(bytes, FILE);
  if ('problems' in decoded) return { ok: false, problems: decoded.problems };
  try {
    return { ok: true, circuits: parseTopology(decoded.text, FILE).circuits.length };
  } catch (err) {
    if (err instanceof InputFileError) return { ok: false, problems: err.diagnostics };
    throw err;
  }
}

function timed(bytes: Buffer) {
  const t0 = performance.now();
  const result = load(bytes);
  return { result, ms: performance.now() - t0 };
}

const messages = (r: ReturnType<typeof load>) => (r.ok ? [] : r.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`));

describe('topology loader against hostile files', function () {
  this.timeout(60_000);

  it('places a 3,000-deep mapping and a 1,000,000-deep flow at their line, at once', () => {
    const deepMap = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n');
    const a = timed(Buffer.from(`version: 1\nnetwork:\n${deepMap}\n`));
    expect(messages(a.result).join('\n')).to.match(/^\d+:1 : indented more than 256 columns: nested too deep$/m);
    expect(a.ms).to.be.below(1000);
    const b = timed(Buffer.from(`version: 1\nsites: ${'['.repeat(1_000_000)}\n`));
    expect(messages(b.result)).to.deep.equal(['2:72 : more than 64 [ and { inside each other: nested too deep']);
    expect(b.ms).to.be.below(1000);
  });

  it('refuses invisible and control characters in ids, interface names and carrier numbers, saying where', () => {
    const text = REAL.toString('utf8');
    const cases: Array<[string, string, RegExp]> = [
      [
        'carrierCircuitId: HNDX-MSTP-100M-0734',
        'carrierCircuitId: HNDX-\u200bMSTP-100M-0734',
        /carrierCircuitId: holds an invisible or control character \(U\+200B\) at character 6/,
      ],
      ['ifName: GigabitEthernet1/0/0 }', 'ifName: Gigabit\ufeffEthernet1/0/0 }', /a\.ifName: holds an invisible or control character \(U\+FEFF\)/],
      ['ifName: GigabitEthernet1/0/0 }', 'ifName: "Gigabit\\u202eEthernet1/0/0" }', /U\+202E/],
      ['ifName: GigabitEthernet1/0/0 }', 'ifName: "Gigabit\\x07Ethernet1/0/0" }', /U\+0007/],
    ];
    for (const [from, to, expected] of cases) {
      expect(text.includes(from), `the real file has "${from}"`).to.equal(true);
      const r = load(Buffer.from(text.replace(from, to)));
      expect(messages(r).join('\n'), to).to.match(expected);
    }
    const id = load(Buffer.from(text.replace('id: HY-HYX', 'id: HY-\u200bHYX')));
    expect(messages(id).join('\n')).to.match(/must be an id/);
  });

  it('places a byte that is not UTF-8, and drops only a byte order mark at the start', () => {
    const text = REAL.toString('utf8');
    const at = text.indexOf('carrierCircuitId: HNDX-MSTP-100M-0734');
    const line = text.slice(0, at).split('\n').length;
    const broken = Buffer.concat([Buffer.from(text.slice(0, at + 20)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(at + 20))]);
    expect(messages(load(broken))).to.deep.equal([
      `${line}:${at + 20 - text.lastIndexOf('\n', at)} : byte 0xc3 at offset ${Buffer.byteLength(text.slice(0, at + 20))} is not UTF-8; save the file as UTF-8`,
    ]);
    const bom = load(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), REAL]));
    expect(bom.ok && bom.circuits, 'a leading BOM, as Notepad writes').to.equal(97);
  });

  it('refuses a 5 MB circuit id and any string past 4,096 characters, by its path', () => {
    const text = REAL.toString('utf8');
    const r = load(Buffer.from(text.replace('id: HY-HYX', `id: HY-${'X'.repeat(5_000_000)}`)));
    expect(messages(r).join('\n')).to.match(/circuits\[\d+\]\.id: is 5000003 characters long; at most 4096/);
  });

  it('survives 300 seeded mutations of the real topology: a model or located problems, each within a second', () => {
    let seed = 20261202;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const lines = REAL.toString('utf8').split('\n');
    const INSERTS = [
      '\u200b',
      '\ufeff',
      '\u0000',
      '\u001b[31m',
      '{',
      '[',
      ']',
      '}',
      ':',
      '- ',
      '&a ',
      '*a ',
      '!!binary ',
      '"',
      "'",
      '#',
      '\t',
      '%YAML 1.1\n',
      '---\n',
      '? ',
      '|',
      '>',
      '@',
      '`',
      'x'.repeat(5000),
    ];
    let worst = 0;
    let loaded = 0;
    for (let n = 0; n < 300; n++) {
      let bytes: Buffer;
      const kind = n % 6;
      if (kind === 0) {
        bytes = Buffer.from(REAL);
        for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      } else if (kind === 1) bytes = REAL.subarray(0, Math.floor(rnd() * REAL.length));
      else {
        const copy = [...lines];
        const at = Math.floor(rnd() * copy.length);
        const line = copy[at]!;
        if (kind === 2) copy[at] = line.slice(0, Math.floor(rnd() * (line.length + 1))) + pick(INSERTS) + line.slice(Math.floor(rnd() * (line.length + 1)));
        else if (kind === 3) copy.splice(at, 0, line, line);
        else if (kind === 4) copy.splice(at, 1 + Math.floor(rnd() * 20));
        else copy[at] = `${' '.repeat(Math.floor(rnd() * 400))}${line.trimStart()}`;
        bytes = Buffer.from(copy.join('\n'));
      }
      const { result, ms } = timed(bytes);
      worst = Math.max(worst, ms);
      expect(ms, `mutation ${n} took ${ms.toFixed(0)} ms`).to.be.below(1000);
      if (result.ok) loaded++;
      else for (const p of result.problems) expect(p.line >= 1 && p.column >= 1 && p.message.length > 0, `mutation ${n}: ${JSON.stringify(p)}`).to.equal(true);
    }
    expect(loaded, 'some mutations are harmless').to.be.above(0);
    expect(worst).to.be.below(1000);
  });
});
