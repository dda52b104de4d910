import { expect } from 'chai';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { utcOffsetSeconds } from '../../../shared/time/zonedTime.ts';
import { officeActivity, offeredOctetsPerSecond, SLOT_SECONDS, trafficProfile } from '../../../sim/traffic/trafficModel.ts';

const SHANGHAI = 8 * 3600;
/** Monday 2026-11-23 00:00 in Asia/Shanghai, as UTC seconds. */
const MONDAY = Date.parse('2026-11-23T00:00:00+08:00') / 1000;
const slotAt = (s: number) => Math.floor(s / SLOT_SECONDS);

describe('traffic model', () => {
  let topology: Topology;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });

  it('knows that Asia/Shanghai is UTC+8 all year', () => {
    expect(utcOffsetSeconds('Asia/Shanghai', new Date('2026-01-15T00:00:00Z'))).to.equal(SHANGHAI);
    expect(utcOffsetSeconds('Asia/Shanghai', new Date('2026-07-15T00:00:00Z'))).to.equal(SHANGHAI);
  });

  it('never offers more than the contracted bandwidth, on any circuit, over a simulated week', () => {
    for (const c of topology.circuits) {
      const p = trafficProfile(734, c);
      let max = 0;
      let min = Infinity;
      let fractional = 0;
      for (let s = MONDAY; s < MONDAY + 7 * 86400; s += 3 * SLOT_SECONDS) {
        for (const dir of ['a2z', 'z2a'] as const) {
          const rate = offeredOctetsPerSecond(p, dir, slotAt(s), SHANGHAI);
          max = Math.max(max, rate);
          min = Math.min(min, rate);
          if (!Number.isInteger(rate)) fractional++;
        }
      }
      expect(max * 8, c.id).to.be.at.most(c.bandwidthBps);
      expect(min, c.id).to.be.at.least(0);
      expect(fractional, c.id).to.equal(0);
    }
  });

  it('is busy in office hours, quiet at night and at weekends (Asia/Shanghai)', () => {
    const mean = (fromHour: number, toHour: number, day = 0) => {
      let sum = 0;
      let n = 0;
      for (const c of topology.circuits) {
        const p = trafficProfile(734, c);
        for (let s = MONDAY + day * 86400 + fromHour * 3600; s < MONDAY + day * 86400 + toHour * 3600; s += 60) {
          sum += offeredOctetsPerSecond(p, 'a2z', slotAt(s), SHANGHAI) / p.capacity;
          n++;
        }
      }
      return sum / n;
    };
    const morning = mean(9, 11.5);
    const lunch = mean(12.2, 13.3);
    const night = mean(2, 5);
    const saturday = mean(9, 11.5, 5);
    expect(morning).to.be.above(3 * night);
    expect(morning).to.be.above(1.5 * lunch);
    expect(morning).to.be.above(3 * saturday);
    expect(officeActivity(MONDAY + 10 * 3600, SHANGHAI)).to.equal(1);
    expect(officeActivity(MONDAY + 3 * 3600, SHANGHAI)).to.equal(0);
  });

  it('runs some circuits hot, near their ceiling at peak, and leaves some idle', () => {
    const peakUtil = (id: string) => {
      const c = topology.circuit(id);
      const p = trafficProfile(734, c);
      let max = 0;
      for (let s = MONDAY + 9 * 3600; s < MONDAY + 17 * 3600; s += SLOT_SECONDS)
        max = Math.max(max, offeredOctetsPerSecond(p, 'a2z', slotAt(s), SHANGHAI) / p.capacity);
      return max;
    };
    const kinds = topology.circuits.map((c) => ({ id: c.id, kind: trafficProfile(734, c).kind }));
    const hot = kinds.filter((k) => k.kind === 'hot');
    const idle = kinds.filter((k) => k.kind === 'idle');
    expect(hot.length).to.be.within(5, 25);
    expect(idle.length).to.be.within(5, 25);
    for (const h of hot) expect(peakUtil(h.id), h.id).to.be.at.least(0.95);
    for (const i of idle) expect(peakUtil(i.id), i.id).to.be.below(0.25);
    const twoMegHot = hot.filter((h) => topology.circuit(h.id).bandwidthBps === 2_000_000);
    expect(twoMegHot.length, 'a 2M circuit near 2M at peak').to.be.at.least(1);
  });

  it('is deterministic: the same seed gives the same traffic, another seed other traffic', () => {
    const c = topology.circuit('HY-D-HBJ');
    const series = (seed: number) =>
      Array.from({ length: 200 }, (_, i) => offeredOctetsPerSecond(trafficProfile(seed, c), 'a2z', slotAt(MONDAY + 36000) + i, SHANGHAI));
    expect(series(734)).to.deep.equal(series(734));
    expect(series(734)).not.to.deep.equal(series(735));
  });
});
