import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkServing } from '../../server/serving.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { tempDir } from '../support/tempDir.ts';

// What role all and role centre check before anything starts, from one place.
describe('the checks before serving', () => {
  it('refuses planned work on a subject the topology does not have, and production without console users, for the centre as for role all', async () => {
    const dir = await tempDir('serving-checks');
    try {
      const topology = await loadTopology(resolve('topology.yaml'));
      const window = '{ subjects: [hyx, NOPE], from: "2026-11-28T22:00:00+08:00", to: "2026-11-29T02:00:00+08:00", reason: 割接 }';
      const centre = 'role: centre\nbus: { servers: ["nats://127.0.0.1:4222"] }\ncentre: { pollers: [{ name: hyx, sites: [hyx] }] }\n';
      for (const head of ['', centre]) {
        await writeFile(join(dir.path, 'nms.yaml'), `${head}alarms:\n  maintenance:\n    - ${window}\n`);
        const config = await loadConfig({ env: {}, cwd: dir.path });
        expect(() => checkServing(config, topology, { env: {} }), config.role).to.throw(
          /alarms\.maintenance\[0\]\.subjects: no circuit, device or site "NOPE" in /,
        );
        await writeFile(join(dir.path, 'nms.yaml'), `${head}production: true\n`);
        const production = await loadConfig({ env: {}, cwd: dir.path });
        expect(() => checkServing(production, topology, { env: {} })).to.throw(/console\.users: production needs its console users/);
      }
    } finally {
      await dir.remove();
    }
  });
});
