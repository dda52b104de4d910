import { expect } from 'chai';
import { MEASUREMENTS, RETENTION_POLICIES } from '../../shared/schema/measurements.ts';
import { continuousQueries, rollupBackfill } from '../../shared/schema/rollups.ts';

describe('measurement schema and rollups', () => {
  it('keeps numbers in fields and bounded identifiers in tags', () => {
    for (const m of Object.values(MEASUREMENTS)) {
      for (const f of Object.values(m.fields) as Array<{ type: string }>) expect(['float', 'integer']).to.include(f.type);
      for (const tag of Object.keys(m.tags)) expect(tag).not.to.match(/time|message|text|alias|descr/i);
    }
  });

  it('has exactly one default retention policy, raw', () => {
    expect(RETENTION_POLICIES.filter((r) => r.isDefault).map((r) => r.name)).to.deep.equal(['raw']);
  });

  it('rolls up only fields that exist in the raw measurement', () => {
    for (const m of Object.values(MEASUREMENTS)) {
      if (!('rollup' in m)) continue;
      for (const r of m.rollup) expect(Object.keys(m.fields), `${m.name}.${r.field}`).to.include('source' in r ? r.source : r.field);
    }
  });

  it('writes a 5-minute and an hourly continuous query per rolled-up measurement, resampling for late points', () => {
    const cqs = continuousQueries('nms');
    const traffic5m = cqs.find((c) => c.name === 'cq_circuit_traffic_5m')!;
    expect(traffic5m.statement).to.include('RESAMPLE EVERY 5m FOR 2h');
    expect(traffic5m.statement).to.include('max("in_bps") AS "in_bps_max"');
    expect(traffic5m.statement).to.include('INTO "nms"."rollup_5m"."circuit_traffic" FROM "nms"."raw"."circuit_traffic"');
    expect(traffic5m.statement).to.match(/GROUP BY time\(5m\), \* END$/);
    const traffic1h = cqs.find((c) => c.name === 'cq_circuit_traffic_1h')!;
    expect(traffic1h.statement).to.include('max("in_bps_max") AS "in_bps_max"');
    expect(traffic1h.statement).to.include('FROM "nms"."rollup_5m"."circuit_traffic"');
  });

  it('backfills whole hours, 5-minute rollups before hourly ones', () => {
    const stmts = rollupBackfill('nms', new Date('2026-11-22T01:17:00Z'), new Date('2026-11-22T02:01:00Z'));
    for (const s of stmts) expect(s).to.include(`WHERE time >= '2026-11-22T01:00:00.000Z' AND time < '2026-11-22T03:00:00.000Z'`);
    const firstHourly = stmts.findIndex((s) => s.includes('INTO "nms"."rollup_1h"'));
    const lastFiveMinute = stmts.findLastIndex((s) => s.includes('INTO "nms"."rollup_5m"'));
    expect(lastFiveMinute).to.be.below(firstHourly);
  });
});
