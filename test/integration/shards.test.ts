/**
 * Scale-out: two collectors, each owning a shard of the devices, together poll
 * every circuit-end interface of the simulated network exactly once.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { Collector } from '../../collectors/collector.ts';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { Simulator } from '../../sim/simulator.ts';
import { TEST_SECRETS } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';

describe('collector shards', function () {
  this.timeout(60_000);

  it('split the devices so that every interface is polled exactly once', async () => {
    const topology = await loadTopology('topology.yaml');
    const dir = await tempDir('shards');
    const sim = await Simulator.start({ topology, secrets: TEST_SECRETS, log: memoryLogger(), truthDir: join(dir.path, 't'), basePort: 0 });
    const endpoints = new Map(Object.entries(sim.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.port }]));
    const polled: string[][] = [];
    try {
      for (const index of [1, 2]) {
        const collector = new Collector({
          topology,
          endpoints,
          credentials: credentialsFor(topology, TEST_SECRETS),
          production: false,
          sink: null,
          live: new LiveState(),
          log: memoryLogger(),
          shard: { index, count: 2 },
        });
        const keys: string[] = [];
        collector.onPoll((poll, outcomes) => {
          expect(poll.reachable, poll.error ?? '').to.equal(true);
          // Every vendor's CPU and memory are found: Huawei, H3C, Cisco, and ZTE by HOST-RESOURCES-MIB.
          expect(poll.cpuPct, `${poll.deviceId} cpu`).to.be.within(0, 100);
          expect(poll.memPct, `${poll.deviceId} memory`).to.be.within(1, 100);
          for (const o of outcomes) {
            expect(o.result.reading, o.result.error ?? '').to.not.equal(null);
            keys.push(`${poll.deviceId}|${o.circuit.id}|${o.result.spec.end}`);
          }
        });
        await collector.pollAll();
        // Self-metrics for what just happened, as written to collector_stats.
        const stats = collector.statsPoint(Date.now(), 0);
        expect(stats.tags).to.deep.equal({ shard: `${index}/2` });
        expect(stats.fields.devices_ok).to.equal(collector.pollers.size);
        expect(stats.fields).to.include({ devices_failed: 0, timeouts: 0, samples_rejected: 0, spooled_points: 0 });
        expect(stats.fields.requests).to.be.at.least(collector.pollers.size * 2);
        expect(collector.statsPoint(Date.now(), 0).fields.requests, 'counts restart after each point').to.equal(0);
        await collector.stop();
        polled.push(keys);
      }
    } finally {
      await sim.stop();
      await dir.remove();
    }
    const expected = topology.circuits.flatMap((c) =>
      (['a', 'z'] as const)
        .filter((end) => c[end].kind === 'device' && topology.device((c[end] as { deviceId: string }).deviceId).managed)
        .map((end) => `${(c[end] as { deviceId: string }).deviceId}|${c.id}|${end}`),
    );
    const [one, two] = polled as [string[], string[]];
    expect(one.length).to.be.above(0);
    expect(two.length).to.be.above(0);
    expect(one.filter((k) => two.includes(k))).to.deep.equal([]);
    expect([...one, ...two].sort()).to.deep.equal([...expected].sort());
  });
});
