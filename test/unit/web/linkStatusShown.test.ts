/**
 * The link status a screen shows: the alarm a trap raised or cleared
 * stands until a poll begun after it, and a newer poll wins.
 */
import { expect } from 'chai';
import { linkStatusShown } from '../../../web/src/linkStatusShown.ts';

const T = Date.parse('2026-12-03T08:00:00Z');
const downAlarm = (circuitId: string, startedAtMs: number) => ({
  kind: 'circuit_down' as const,
  subject: { type: 'circuit' as const, id: circuitId },
  startedAtMs,
});
const none = new Map<string, number>();

describe('link status shown', () => {
  it('is the poll’s when no alarm speaks of the circuit', () => {
    expect(linkStatusShown('HY-LYS', { status: 'up', polledFromMs: T }, [], none)).to.equal('up');
    expect(linkStatusShown('HY-LYS', undefined, [], none)).to.equal('unknown');
  });

  it('turns down with a trap’s alarm, before any poll confirms it', () => {
    expect(linkStatusShown('HY-LYS', { status: 'up', polledFromMs: T }, [downAlarm('HY-LYS', T + 2000)], none)).to.equal('down');
    // Another circuit's alarm says nothing of this one.
    expect(linkStatusShown('HY-LYS', { status: 'up', polledFromMs: T }, [downAlarm('HY-HYX', T + 2000)], none)).to.equal('up');
  });

  it('goes with a poll begun after the alarm: it confirms, or corrects a trap no poll bore out', () => {
    expect(linkStatusShown('HY-LYS', { status: 'up', polledFromMs: T + 2500 }, [downAlarm('HY-LYS', T + 2000)], none)).to.equal('up');
    expect(linkStatusShown('HY-LYS', { status: 'down', polledFromMs: T + 2500 }, [downAlarm('HY-LYS', T + 2000)], none)).to.equal('down');
  });

  it('turns up when a linkUp trap clears the alarm, until a poll begun after it', () => {
    const cleared = new Map([['HY-LYS', T + 5000]]);
    expect(linkStatusShown('HY-LYS', { status: 'down', polledFromMs: T + 1000 }, [], cleared)).to.equal('up');
    expect(linkStatusShown('HY-LYS', { status: 'down', polledFromMs: T + 6000 }, [], cleared)).to.equal('down');
    // Raised again since: the active alarm speaks, not the older clear.
    expect(linkStatusShown('HY-LYS', { status: 'up', polledFromMs: T + 6000 }, [downAlarm('HY-LYS', T + 7000)], cleared)).to.equal('down');
  });
});
