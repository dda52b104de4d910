import { expect } from 'chai';
import { LiveState, type LiveEvent } from '../../../shared/live/liveState.ts';

describe('live state', () => {
  it('keeps the latest state and tells every subscriber, even when one of them throws', () => {
    const live = new LiveState();
    const seen: LiveEvent[] = [];
    live.subscribe(() => {
      throw new Error('a broken subscriber');
    });
    const off = live.subscribe((e) => seen.push(e));
    const circuit = {
      circuitId: 'HY-HYX',
      status: 'up' as const,
      inBps: 1,
      outBps: 2,
      inUtilPct: 0.1,
      outUtilPct: 0.2,
      statusSinceMs: null,
      errorsPerS: null,
      end: 'a' as const,
      polledFromMs: 1,
      updatedAtMs: 1,
      note: null,
    };
    live.updateCircuit(circuit);
    live.updateCircuit({ ...circuit, status: 'down', polledFromMs: 2, updatedAtMs: 2 });
    expect(live.circuits.get('HY-HYX')!.status).to.equal('down');
    expect(seen.map((e) => (e.kind === 'circuit' ? e.circuit.status : ''))).to.deep.equal(['up', 'down']);
    off();
    live.updateDevice({
      deviceId: 'hy-core-1',
      reachable: true,
      responseMs: 3,
      cpuPct: 10,
      memPct: 40,
      uptimeS: 100,
      polledFromMs: 2,
      updatedAtMs: 3,
      error: null,
    });
    expect(seen).to.have.length(2);
    expect(live.devices.get('hy-core-1')!.reachable).to.equal(true);
  });
});
