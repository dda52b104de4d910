/**
 * The fping parser and a round's figures over real fping output, captured by
 * test/fixtures/fping/capture.sh in a namespace lab: a far end behind a 25 ±
 * 3 ms delay line whose echoes the kernel dropped at random (its nftables
 * counter, saved beside the output, is the truth for loss) and whose replies
 * it duplicated; an address the router rejected with an ICMP error; and an
 * address that never answers.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseFpingOutput } from '../../../collectors/probe/fpingOutput.ts';
import { roundFigures } from '../../../collectors/probe/roundFigures.ts';

const FIXTURES = 'test/fixtures/fping';
const read = (f: string) => readFileSync(`${FIXTURES}/${f}`, 'utf8');
const TARGETS = ['198.18.61.2', '198.18.61.77', '198.18.61.88'];

describe('fping output', () => {
  const out = parseFpingOutput(read('lossy-duplicates-errors.txt'), TARGETS, 20);
  const kernelDropped = Number(/counter packets (\d+)/.exec(read('lossy-duplicates-errors.kernel.txt'))![1]);

  it('reads every packet of a lossy far end in send order, losing as many as the kernel dropped', () => {
    const far = out.targets.get('198.18.61.2')!;
    expect(far.rtts).to.have.length(20);
    expect(far.rtts.filter((r) => r === null).length, 'lost = dropped by nftables').to.equal(kernelDropped);
    const f = roundFigures(far.rtts);
    expect(f.sent).to.equal(20);
    expect(f.lossPct).to.be.closeTo((kernelDropped / 20) * 100, 1e-9);
    // The delay line held each echo 25 ± 3 ms; the veths add well under a millisecond.
    expect(f.rttMinMs!).to.be.at.least(22);
    expect(f.rttMaxMs!).to.be.below(29);
    expect(f.rttMedianMs!).to.be.within(23, 27);
    expect(f.jitterMs!).to.be.within(0.1, 6);
  });

  it('counts duplicate replies apart, never as answers', () => {
    const far = out.targets.get('198.18.61.2')!;
    expect(far.duplicates).to.equal(
      read('lossy-duplicates-errors.txt')
        .split('\n')
        .filter((l) => l.includes('duplicate for')).length,
    );
    expect(far.duplicates).to.be.above(0);
    expect(roundFigures(far.rtts).received).to.equal(20 - kernelDropped);
  });

  it('gives a target that never answers 100% loss and no round-trip figures', () => {
    for (const t of ['198.18.61.77', '198.18.61.88']) {
      const f = roundFigures(out.targets.get(t)!.rtts);
      expect(f, t).to.deep.equal({ sent: 20, received: 0, lossPct: 100, rttMinMs: null, rttMedianMs: null, rttMeanMs: null, rttMaxMs: null, jitterMs: null });
    }
    expect(out.notes).to.deep.equal([]);
  });

  it('keeps the ICMP error a router sent for a target, with who sent it', () => {
    const verbose = parseFpingOutput(read('verbose.stderr.txt'), TARGETS, 5);
    expect(verbose.targets.get('198.18.61.77')!.errors).to.deep.equal(['ICMP Network Unreachable from 198.18.60.2']);
    expect(verbose.targets.get('198.18.61.2')!.errors).to.deep.equal([]);
  });

  it('reports a target fping said nothing about as all lost, and keeps lines it does not know as notes', () => {
    const odd = parseFpingOutput('fping: some new warning\n198.18.61.2 : 1.0 - 3.0\n10.9.9.9 : 1.0\n', ['198.18.61.2', '198.18.61.9'], 3);
    expect(odd.targets.get('198.18.61.9')!.rtts).to.deep.equal([null, null, null]);
    expect(odd.targets.get('198.18.61.2')!.rtts).to.deep.equal([1, null, 3]);
    expect(odd.notes).to.deep.equal(['fping: some new warning', '10.9.9.9 : 1.0']);
  });
});

describe('round figures', () => {
  it('takes jitter over consecutive answered packets, as RFC 3550 differences', () => {
    // |12-10| + |11-12| + |15-11| over three pairs; the lost packet leaves its neighbours consecutive.
    const f = roundFigures([10, 12, null, 11, 15]);
    expect(f.jitterMs).to.be.closeTo(7 / 3, 1e-9);
    expect(f.rttMedianMs).to.equal(11.5);
    expect(f.rttMeanMs).to.equal(12);
    expect(f.lossPct).to.equal(20);
  });

  it('has no jitter from one answer, and 100% loss from no packets at all', () => {
    expect(roundFigures([null, 4, null]).jitterMs).to.equal(null);
    expect(roundFigures([]).lossPct).to.equal(100);
  });
});
