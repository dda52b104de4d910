import { expect } from 'chai';
import { loadConfig } from '../../../shared/config/config.ts';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { historyWanted } from '../../../server/demo/demoHistory.ts';
import { historyTimeline } from '../../../sim/scenario/historyTimeline.ts';
import { faultSchema, unknownTarget } from '../../../sim/network/faults.ts';

const DAY = 86_400_000;

describe('the demo history’s month', () => {
  let topology: Topology;
  const toMs = Date.UTC(2026, 11, 3, 8, 0);
  const fromMs = toMs - 30 * DAY;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });

  it('is the same month for the same seed, and another for another', () => {
    expect(historyTimeline(topology, fromMs, toMs, 734)).to.deep.equal(historyTimeline(topology, fromMs, toMs, 734));
    expect(historyTimeline(topology, fromMs, toMs, 735)).to.not.deep.equal(historyTimeline(topology, fromMs, toMs, 734));
  });

  it('has department lines down in office hours, one county uplink out for an afternoon, a reboot and errors, all over an hour before the end', () => {
    const faults = historyTimeline(topology, fromMs, toMs, 734);
    const downs = faults.filter((f) => f.fault.fault === 'link-down');
    const uplinkIds = new Set(topology.circuits.flatMap((c) => c.upstreamIds));
    expect(downs.filter((f) => uplinkIds.has(String(f.fault.circuit)))).to.have.length(1);
    expect(downs.length).to.be.within(4, 15);
    for (const d of downs) {
      const localHour = new Date(d.atMs + 8 * 3_600_000).getUTCHours();
      expect(localHour, `${d.fault.circuit} at ${new Date(d.atMs).toISOString()}`).to.be.within(9, 15);
      const up = faults.find((f) => f.fault.fault === 'link-up' && f.fault.circuit === d.fault.circuit && f.atMs > d.atMs)!;
      expect(up.atMs - d.atMs).to.be.within(20 * 60_000, 3.5 * 3_600_000);
    }
    expect(faults.filter((f) => f.fault.fault === 'reboot')).to.have.length(1);
    expect(faults.filter((f) => f.fault.fault === 'errors')).to.have.length(1);
    for (const f of faults) expect(f.atMs).to.be.within(fromMs, toMs - 3_600_000);
    expect(faults.map((f) => f.atMs)).to.deep.equal([...faults.map((f) => f.atMs)].sort((a, b) => a - b));
  });

  it('is made of faults the simulator takes, on a network that is not the demo city too', async () => {
    for (const file of ['topology.yaml', 'test/fixtures/topology/report-month.yaml']) {
      const t = await loadTopology(file);
      const faults = historyTimeline(t, fromMs, toMs, 734);
      expect(faults.length, file).to.be.above(0);
      // The checks the simulator's control API makes: its fault schema, and targets this network has.
      const targets = { circuits: new Set(t.circuits.map((c) => c.id)), managedDevices: new Set(t.devices.filter((d) => d.managed).map((d) => d.id)) };
      for (const f of faults) {
        const parsed = faultSchema.safeParse(f.fault);
        expect(parsed.success, `${file}: ${JSON.stringify(f.fault)}`).to.equal(true);
        expect(unknownTarget(parsed.data!, targets), `${file}: ${JSON.stringify(f.fault)}`).to.equal(null);
      }
    }
  });

  it('is written only for the demo on a managed InfluxDB, never in production', async () => {
    const demo = await loadConfig({ env: {}, cwd: '/nonexistent-folder-for-defaults' });
    expect(historyWanted(demo)).to.equal(true);
    expect(historyWanted({ ...demo, production: true })).to.equal(false);
    expect(historyWanted({ ...demo, simulator: { ...demo.simulator, historyDays: 0 } })).to.equal(false);
    expect(
      historyWanted({ ...demo, influx: { mode: 'external', api: 1, url: 'http://127.0.0.1:1', database: 'nms', username: null, password: null } }),
    ).to.equal(false);
  });
});
