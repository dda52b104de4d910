/**
 * computeReport: the report from its inputs alone, no store read. The
 * inputs are a day of two county lines of one carrier, written out here, and
 * every figure checked is worked by hand from them.
 */
import { expect } from 'chai';
import type { Availability } from '../../../server/alarms/outageLedger.ts';
import { computeReport, type ReportInputs } from '../../../server/reports/reportBuilder.ts';
import { resolveScope } from '../../../server/reports/reportScope.ts';
import type { CircuitTraffic } from '../../../server/reports/trafficFigures.ts';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { DEFAULT_CAPACITY_THRESHOLDS } from '../../../shared/reports/reportModel.ts';
import { parsePeriod } from '../../../shared/time/reportPeriod.ts';

const DAY_S = 86_400;

const traffic = (p95Bps: number, peakBps: number, buckets = 288): CircuitTraffic => ({
  in: { meanBps: p95Bps / 2, peakBps, p95Bps },
  out: { meanBps: p95Bps / 4, peakBps: peakBps / 2, p95Bps: p95Bps / 2 },
  buckets,
});

const availability = (circuitId: string, downS: number): Availability => ({
  circuitId,
  fromMs: 0,
  toMs: 0,
  availabilityPct: (100 * (DAY_S - downS)) / DAY_S,
  downS,
  unknownS: 0,
  maintenanceS: 0,
  upstreamDownS: 0,
  knownS: DAY_S,
  outageCount: downS > 0 ? 1 : 0,
  upstreamOutageCount: 0,
  mttrS: downS > 0 ? downS : null,
  serviceAvailabilityPct: (100 * (DAY_S - downS)) / DAY_S,
  outages: [],
});

describe('computeReport: a report from its inputs alone', () => {
  let topology: Topology;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });

  it('judges capacity, availability and the carrier from the figures it is given', () => {
    const period = parsePeriod('2026-11-05', topology.network.timezone);
    const scope = resolveScope(topology, 'carrier:telecom');
    const [busy, quiet] = ['HY-LYS', 'HY-HNX'];
    const others = scope.circuits.filter((c) => c.id !== busy && c.id !== quiet);
    const inputs: ReportInputs = {
      nowMs: period.toMs + 3_600_000,
      // HY-LYS (10M): p95 8 Mbit/s is 80% of its contract, over the 70% that says upgrade. HY-HNX (10M) peaks at 1 Mbit/s: 10%, under 20%.
      traffic: new Map([
        [busy, traffic(8_000_000, 9_500_000)],
        [quiet, traffic(500_000, 1_000_000)],
      ]),
      previousTraffic: new Map(),
      series: [],
      quality: new Map(),
      // HY-LYS down 864 s: 99.0% against its county tier's 99.9%. The other telecom circuits known and never down.
      availability: new Map([[busy, availability(busy, 864)], [quiet, availability(quiet, 0)], ...others.map((c) => [c.id, availability(c.id, 0)] as const)]),
      previousAvailability: new Map(),
    };
    const r = computeReport(topology, period, scope, 'rollup_5m', inputs, DEFAULT_CAPACITY_THRESHOLDS);
    const figures = (id: string) => r.circuits.find((c) => c.circuitId === id)!;
    expect(figures(busy)).to.deep.include({ advice: 'upgrade', coveragePct: 100 });
    expect(figures(busy).utilization).to.deep.equal({ meanPct: 40, peakPct: 95, p95Pct: 80 });
    expect(figures(busy).availability).to.include({ pct: 99, targetPct: 99.9, met: false, downS: 864 });
    expect(figures(quiet)).to.include({ advice: 'downgrade' });
    // No traffic at all for the rest: too little data to advise on, never "downgrade".
    for (const c of others) expect(figures(c.id).advice).to.equal('too-little-data');
    expect(r.topBusiest[0]).to.equal(busy);
    const telecom = r.carriers.find((c) => c.carrier === 'telecom')!;
    expect(telecom.circuits).to.equal(scope.circuits.length);
    expect(telecom.breaches.map((b) => b.circuitId)).to.deep.equal([busy]);
    // 864 s down in a day of each circuit known.
    expect(telecom.availabilityPct).to.be.closeTo(100 - (100 * 864) / (DAY_S * scope.circuits.length), 1e-9);
    expect(r.totals.availabilityPct).to.equal(telecom.availabilityPct);
    expect(r.generatedAtMs).to.equal(inputs.nowMs);
  });
});
