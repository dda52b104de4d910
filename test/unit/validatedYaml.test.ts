/**
 * Input files are read by js-yaml when sound and by the `yaml` library when a
 * problem must be placed. The two must read every file to the same values,
 * and a problem must be placed the same way on either path.
 */
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as jsYaml from 'js-yaml';
import { parse } from 'yaml';
import { z } from 'zod';
import { checkYaml } from '../../shared/input/validatedYaml.ts';

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (entry.name.endsWith('.yaml')) out.push(path);
  }
  return out;
}

describe('validated YAML', () => {
  it('reads every file in the repository to the same values with js-yaml and with yaml', async () => {
    const files = ['topology.yaml', ...(await yamlFiles('test/fixtures'))];
    let compared = 0;
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      let quick: unknown;
      try {
        quick = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
      } catch {
        continue; // broken on purpose: the precise parser takes these
      }
      let precise: unknown;
      try {
        precise = parse(text, { uniqueKeys: true, maxAliasCount: 100 });
      } catch {
        continue;
      }
      expect(quick ?? null, file).to.deep.equal(precise ?? null);
      compared++;
    }
    expect(compared).to.be.at.least(8);
  });

  it('places a schema problem at the same line and column on either path', () => {
    const schema = z.object({ sites: z.array(z.object({ id: z.string(), bandwidth: z.number() }).strict()) }).strict();
    const text = 'sites:\n  - id: a\n    bandwidth: 10\n  - id: b\n    bandwidth: ten\n';
    const quick = checkYaml(text, 'f.yaml', schema);
    // An alias to a mapping makes the quick reader step aside (aliases are the precise parser's to bound).
    const twice = z.object({ v: z.number() });
    const precise = checkYaml(`${text}x: &anchor { v: 1 }\ny: *anchor\n`, 'f.yaml', schema.extend({ x: twice, y: twice }));
    expect(quick.problems.map((p) => `${p.line}:${p.column} ${p.path}`)).to.deep.equal(['5:16 sites[1].bandwidth']);
    expect(precise.problems.map((p) => `${p.line}:${p.column} ${p.path}`)).to.deep.equal(['5:16 sites[1].bandwidth']);
  });

  it('reports a duplicate key and an inline secret with their places', () => {
    const schema = z.object({ a: z.number(), profile: z.object({ community: z.unknown() }) });
    const dup = checkYaml('a: 1\na: 2\nprofile: { community: { env: X } }\n', 'f.yaml', schema);
    expect(dup.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).to.deep.equal(['2:1 duplicate key']);
    const secret = checkYaml('a: 1\nprofile:\n  community: hunter2\n', 'f.yaml', schema);
    expect(secret.problems.map((p) => `${p.line}:${p.column} ${p.path}`)).to.deep.equal(['3:14 profile.community']);
    expect(JSON.stringify(secret.problems)).not.to.contain('hunter2');
  });
});
