import { expect } from 'chai';
import { PollScheduler } from '../../../collectors/scheduler/pollScheduler.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('poll scheduler', () => {
  it('spreads first polls over the interval, then keeps each device on its own interval', async () => {
    const starts = new Map<string, number[]>();
    const t0 = Date.now();
    const jobs = ['a', 'b', 'c', 'd'].map((id) => ({
      id,
      intervalMs: 200,
      run: async () => void starts.set(id, [...(starts.get(id) ?? []), Date.now() - t0]),
    }));
    const s = new PollScheduler(jobs, 10);
    s.start();
    await sleep(1050);
    await s.stop();
    const firsts = [...starts.values()].map((t) => t[0]!);
    expect(new Set(firsts.map((t) => Math.floor(t / 20))).size, 'not all at once').to.be.above(1);
    for (const [id, times] of starts) {
      expect(times.length, id).to.be.within(4, 6);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, id).to.be.within(150, 260);
    }
  });

  it('never runs one device twice at once, counting the turns it skipped', async () => {
    let running = 0;
    let maxRunning = 0;
    const s = new PollScheduler(
      [{ id: 'slow', intervalMs: 50, run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(180);
        running--;
      } }],
      10,
    );
    s.start();
    await sleep(600);
    await s.stop();
    expect(maxRunning).to.equal(1);
    expect(s.stats.overruns).to.be.at.least(3);
  });

  it('caps polls in flight, and a hung device holds only its own slot', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const fastRuns: number[] = [];
    const jobs = [
      { id: 'hung', intervalMs: 100, run: () => sleep(2000) },
      ...Array.from({ length: 8 }, (_, i) => ({
        id: `fast${i}`,
        intervalMs: 100,
        run: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(10);
          inFlight--;
          fastRuns.push(i);
        },
      })),
    ];
    const s = new PollScheduler(jobs, 3);
    s.start();
    await sleep(700);
    const before = fastRuns.length;
    void s.stop(); // the hung poll would hold stop() for its full 2 s
    expect(maxInFlight).to.be.at.most(2, 'three slots, one held by the hung device');
    expect(before, 'the others kept being polled').to.be.at.least(8 * 4);
  });

  it('sleeps when it has nothing to poll, instead of waking every millisecond', async () => {
    const realSetTimeout = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      timers++;
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout;
    const s = new PollScheduler([], 4);
    try {
      s.start();
      await new Promise<void>((r) => realSetTimeout(r, 50));
    } finally {
      globalThis.setTimeout = realSetTimeout;
      await s.stop();
    }
    expect(timers, 'timers set in 50 ms with no jobs').to.equal(0);
    expect(s.pollSoon('nothing'), 'an unknown job').to.equal(false);
  });
});
