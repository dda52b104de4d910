/** Report periods in Asia/Shanghai, checked against hand-worked calendar facts. */
import { expect } from 'chai';
import { lastComplete, parsePeriod, PeriodError, previousPeriod } from '../../../shared/time/reportPeriod.ts';

const TZ = 'Asia/Shanghai';
const iso = (ms: number) => new Date(ms).toISOString();

describe('report periods', () => {
  it('takes a month as its local calendar month, eight hours ahead of UTC', () => {
    const p = parsePeriod('2026-10', TZ);
    expect([p.kind, iso(p.fromMs), iso(p.toMs)]).to.deep.equal(['month', '2026-09-30T16:00:00.000Z', '2026-10-31T16:00:00.000Z']);
    expect(iso(parsePeriod('2026-12', TZ).toMs)).to.equal('2026-12-31T16:00:00.000Z');
  });

  it('takes ISO weeks from Monday, including a 53rd week', () => {
    // 5 October 2026 is a Monday; 2026 began on a Thursday, so it has 53 ISO weeks.
    expect(iso(parsePeriod('2026-W41', TZ).fromMs)).to.equal('2026-10-04T16:00:00.000Z');
    const w53 = parsePeriod('2026-W53', TZ);
    expect([iso(w53.fromMs), iso(w53.toMs)]).to.deep.equal(['2026-12-27T16:00:00.000Z', '2027-01-03T16:00:00.000Z']);
    expect(() => parsePeriod('2027-W53', TZ)).to.throw(PeriodError, '2027 has weeks 1 to 52');
  });

  it('takes a day and a range of days, both ends included', () => {
    const d = parsePeriod('2026-10-05', TZ);
    expect(d.toMs - d.fromMs).to.equal(86_400_000);
    const r = parsePeriod('2026-10-01..2026-10-15', TZ);
    expect([iso(r.fromMs), iso(r.toMs)]).to.deep.equal(['2026-09-30T16:00:00.000Z', '2026-10-15T16:00:00.000Z']);
  });

  it('knows the period before, across a year end', () => {
    expect(previousPeriod(parsePeriod('2026-01', TZ)).label).to.equal('2025-12');
    expect(previousPeriod(parsePeriod('2026-W01', TZ)).label).to.equal('2025-W52');
    expect(previousPeriod(parsePeriod('2026-03-01', TZ)).label).to.equal('2026-02-28');
    expect(previousPeriod(parsePeriod('2026-10-11..2026-10-20', TZ)).label).to.equal('2026-10-01..2026-10-10');
  });

  it('finds the last complete day, week and month in local time', () => {
    // 00:30 on Monday 23 November in Shanghai is still Sunday the 22nd in UTC.
    const at = Date.parse('2026-11-22T16:30:00Z');
    expect(lastComplete('day', at, TZ).label).to.equal('2026-11-22');
    expect(lastComplete('week', at, TZ).label).to.equal('2026-W47');
    expect(lastComplete('month', at, TZ).label).to.equal('2026-10');
  });

  it('says what a period looks like when given something else', () => {
    expect(() => parsePeriod('October', TZ)).to.throw(PeriodError, 'give a month (2026-10)');
    expect(() => parsePeriod('2026-13', TZ)).to.throw(PeriodError, 'no month 13');
    expect(() => parsePeriod('2026-02-30', TZ)).to.throw(PeriodError, 'not a calendar date');
    expect(() => parsePeriod('2026-10-05..2026-10-01', TZ)).to.throw(PeriodError, 'before the first');
  });
});
