import { expect } from 'chai';
import { formatRate, parseDuration, parseRate } from '../../shared/model/units.ts';

describe('units', () => {
  it('reads contracted rates in bits per second with decimal prefixes', () => {
    expect(parseRate('2M')).to.equal(2_000_000);
    expect(parseRate('10M')).to.equal(10_000_000);
    expect(parseRate('1000M')).to.equal(1_000_000_000);
    expect(parseRate('1G')).to.equal(1_000_000_000);
    expect(parseRate('512k')).to.equal(512_000);
    expect(parseRate('2Mbit/s')).to.equal(2_000_000);
    expect(parseRate('10 Mbps')).to.equal(10_000_000);
    expect(parseRate('1.5M')).to.equal(1_500_000);
  });

  it('refuses what is not a rate: bare numbers, bytes, words, zero', () => {
    for (const bad of ['10', '2MB', '2MB/s', 'fast', '', '0M', '-2M', 'M', '2 T']) {
      expect(parseRate(bad), bad).to.equal(null);
    }
  });

  it('formats rates as contracts write them', () => {
    expect(formatRate(2_000_000)).to.equal('2M');
    expect(formatRate(1_000_000_000)).to.equal('1G');
    expect(formatRate(1_452_000_000)).to.equal('1452M');
    expect(formatRate(512_000)).to.equal('512k');
  });

  it('reads durations', () => {
    expect(parseDuration('30s')).to.equal(30);
    expect(parseDuration('5m')).to.equal(300);
    expect(parseDuration('1h')).to.equal(3600);
    expect(parseDuration('7d')).to.equal(604_800);
    for (const bad of ['60', '0s', '1w', 'soon']) expect(parseDuration(bad), bad).to.equal(null);
  });
});
