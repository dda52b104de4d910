import { expect } from 'chai';
import { computeRates, counterDelta, statusSplit, utilizationPct, type InterfaceReading } from '../../../collectors/engine/counterEngine.ts';
import { uptimeDelta } from '../../../shared/snmp/uptime.ts';

const base: InterfaceReading = {
  uptimeCs: 100_000,
  inOctets: 1_000_000n,
  outOctets: 2_000_000n,
  width: 64,
  inErrors: 5,
  outErrors: 0,
  inDiscards: 0,
  outDiscards: 0,
  operStatus: 1,
  adminStatus: 1,
  lastChangeCs: 500,
  discontinuityCs: 0,
};
const later = (over: Partial<InterfaceReading>): InterfaceReading => ({ ...base, uptimeCs: base.uptimeCs + 6000, ...over });
const TEN_M = 10_000_000;
const TWO_M = 2_000_000;

describe('counter engine', () => {
  it('turns deltas into bits per second over the device’s own interval', () => {
    // 60 s; 45,000,000 octets in = 6 Mbit/s; 7,500,000 out = 1 Mbit/s.
    const r = computeRates(base, later({ inOctets: 46_000_000n, outOctets: 9_500_000n, inErrors: 17 }), TEN_M);
    expect(r.kind).to.equal('rate');
    if (r.kind !== 'rate') return;
    expect(r.sample.intervalS).to.equal(60);
    expect(r.sample.inBps).to.equal(6_000_000);
    expect(r.sample.outBps).to.equal(1_000_000);
    expect(r.sample.inErrors).to.equal(12);
    expect(utilizationPct(r.sample.inBps, TEN_M)).to.equal(60);
  });

  it('unwraps a 32-bit counter exactly', () => {
    const prev = { ...base, width: 32 as const, inOctets: 4_294_000_000n };
    // 967,296 octets to the wrap plus 14,032,704 after it: 15,000,000 octets in 60 s = 2 Mbit/s.
    const r = computeRates(prev, later({ width: 32, inOctets: 14_032_704n }), TEN_M);
    expect(r.kind).to.equal('rate');
    if (r.kind !== 'rate') return;
    expect(r.sample.inBps).to.equal(2_000_000);
    expect(r.sample.wrapped.in).to.equal(true);
    expect(counterDelta(4_294_967_295n, 0n, 32)).to.deep.equal({ delta: 1n, wrapped: true });
  });

  it('unwraps a 64-bit counter exactly', () => {
    expect(counterDelta(2n ** 64n - 10n, 5n, 64)).to.deep.equal({ delta: 15n, wrapped: true });
    const r = computeRates({ ...base, inOctets: 2n ** 64n - 1_000n }, later({ inOctets: 1_000n }), TEN_M);
    expect(r.kind === 'rate' && r.sample.inBps).to.equal((2_000 * 8) / 60);
  });

  it('drops the sample when sysUpTime goes back: a reboot is never a spike', () => {
    const r = computeRates(base, { ...base, uptimeCs: 3_000, inOctets: 10n, outOctets: 20n }, TEN_M);
    expect(r.kind).to.equal('reset');
    expect(r.kind === 'reset' && r.reason).to.match(/sysUpTime went back/);
  });

  it('drops the sample when ifCounterDiscontinuityTime changes', () => {
    const r = computeRates(base, later({ inOctets: 5n, discontinuityCs: 101_234 }), TEN_M);
    expect(r.kind).to.equal('reset');
  });

  it('treats a sysUpTime wrap after 497 days as time passing, not a restart', () => {
    expect(uptimeDelta(4_294_967_000, 700)).to.equal(996);
    expect(uptimeDelta(500_000, 400_000)).to.equal(null);
  });

  it('flags and refuses a rate above the contract × 1.05, whatever ifSpeed says', () => {
    // 2M contract: 2.2 Mbit/s is impossible on a shaped line.
    const r = computeRates(base, later({ inOctets: base.inOctets + 16_500_000n }), TWO_M);
    expect(r.kind).to.equal('impossible');
    // Just under the margin is fine.
    const ok = computeRates(base, later({ inOctets: base.inOctets + 15_700_000n }), TWO_M);
    expect(ok.kind).to.equal('rate');
  });

  it('refuses an implausible wrap: a counter that went down by a reset nobody reported', () => {
    const r = computeRates({ ...base, width: 32, inOctets: 3_000_000_000n }, later({ width: 32, inOctets: 1_000n }), TWO_M);
    expect(r.kind).to.equal('impossible');
  });

  it('refuses to compare counters of different widths', () => {
    expect(computeRates(base, later({ width: 32 }), TEN_M).kind).to.equal('reset');
  });

  it('splits an interval into up and down time at ifLastChange', () => {
    expect(statusSplit(base, later({}))).to.deep.equal({ upS: 60, downS: 0 });
    // Went down 20 s into the interval.
    expect(statusSplit(base, later({ operStatus: 2, lastChangeCs: base.uptimeCs + 2000 }))).to.deep.equal({ upS: 20, downS: 40 });
    const down = { ...base, operStatus: 2 };
    expect(statusSplit(down, later({ operStatus: 2 }))).to.deep.equal({ upS: 0, downS: 60 });
    // Came back 45 s in.
    expect(statusSplit(down, later({ operStatus: 1, lastChangeCs: base.uptimeCs + 4500 }))).to.deep.equal({ upS: 15, downS: 45 });
    // Across a restart: unknown.
    expect(statusSplit(base, { ...base, uptimeCs: 10 })).to.equal(null);
  });
});
