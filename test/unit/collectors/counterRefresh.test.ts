import { expect } from 'chai';
import { cachedModel, guardCs, judgeProbes, refine, snapshotAt, verifyDue, type RefreshProbe } from '../../../collectors/engine/counterRefresh.ts';

/** Probes every `stepCs` of an agent whose counter grows 1000 per cs and is refreshed every `periodCs` (0: live). */
function probes(fromCs: number, count: number, stepCs: number, periodCs: number, phaseCs = 0): RefreshProbe[] {
  return Array.from({ length: count }, (_, i) => {
    const u = fromCs + i * stepCs;
    const taken = periodCs === 0 ? u : phaseCs + Math.floor((u - phaseCs) / periodCs) * periodCs;
    return { uptimeCs: u, values: [BigInt(taken * 1000), 7n] };
  });
}

describe('counter refresh model', () => {
  it('calls counters that change between every probe live', () => {
    expect(judgeProbes(probes(1000, 8, 5, 0))).to.deep.equal({ kind: 'live' });
  });

  it('finds the period and a refresh of counters refreshed on a timer, as Debian snmpd does every 3 s', () => {
    const v = judgeProbes(probes(1003, 140, 5, 300, 8));
    expect(v.kind).to.equal('cached');
    if (v.kind !== 'cached') return;
    expect(v.periodCs).to.be.closeTo(300, 5);
    const offPhase = (v.refreshCs - 8) % 300;
    expect(Math.min(offPhase, 300 - offPhase), 'cs from a true refresh').to.be.at.most(3);
  });

  it('stays undecided on idle counters, one refresh, or a sysUpTime that stands still', () => {
    const idle = probes(1000, 100, 5, 0).map((p) => ({ ...p, values: [1n] }));
    expect(judgeProbes(idle).kind).to.equal('undecided');
    expect(judgeProbes(probes(1010, 50, 5, 300)).kind).to.equal('undecided');
    const frozen = Array.from({ length: 10 }, (_, i) => ({ uptimeCs: 500, values: [BigInt(i)] }));
    expect(judgeProbes(frozen).kind).to.equal('undecided');
  });

  it('does not place a refresh from probes too far apart', () => {
    expect(judgeProbes(probes(1000, 40, 40, 300)).kind).to.equal('undecided');
  });

  it("gives a reading its refresh's time, and calls a reading next to a refresh ambiguous", () => {
    const m = cachedModel(300, 1008);
    expect(snapshotAt(m, 1008 + 300 * 10 + 150)).to.deep.equal({ kind: 'at', uptimeCs: 1008 + 3000 });
    expect(snapshotAt(m, 1008 + 300 * 2 - 3)).to.deep.equal({ kind: 'ambiguous', nextRefreshCs: 1008 + 600 });
    expect(snapshotAt(m, 1008 + 300 * 2 + 3)).to.deep.equal({ kind: 'ambiguous', nextRefreshCs: 1008 + 600 });
    expect(snapshotAt({ kind: 'live' }, 4321)).to.deep.equal({ kind: 'at', uptimeCs: 4321 });
  });

  it('refines the period over a longer baseline, and drops a model a measurement contradicts', () => {
    const m = cachedModel(302.5, 1000); // measured over one period: a few cs off the true 300
    expect(verifyDue(m, 1000 + 700, 6000), 'a one-period baseline is checked soon').to.equal(true);
    const r = refine(m, 1000 + 3 * 300);
    expect(r?.kind).to.equal('cached');
    if (r?.kind !== 'cached') return;
    expect(r.periodCs).to.equal(300);
    expect(guardCs(r, r.anchorCs + 3000)).to.be.below(guardCs(m, m.anchorCs + 3000));
    expect(refine(r, r.anchorCs + 300 * 5 + 120), 'a refresh 120 cs off the prediction').to.equal(null);
  });
});
