import { expect } from 'chai';
import { mock } from 'node:test';
import { loadTopology } from '../../../shared/model/loader.ts';
import { PollScheduler, startOffset } from '../../../collectors/scheduler/pollScheduler.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('poll scheduler', () => {
  it('spreads first polls over the interval, then keeps each device on its own interval', async () => {
    // A virtual clock, so that a busy machine cannot bunch the turns together.
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const starts = new Map<string, number[]>();
      const jobs = ['a', 'b', 'c', 'd'].map((id) => ({
        id,
        intervalMs: 200,
        run: async () => void starts.set(id, [...(starts.get(id) ?? []), Date.now()]),
      }));
      const s = new PollScheduler(jobs, 10);
      s.start();
      for (let t = 0; t < 1000; t++) {
        mock.timers.tick(1);
        await Promise.resolve();
      }
      await s.stop();
      for (const [id, times] of starts) {
        expect(times[0], `${id} starts at its own offset`).to.equal(Math.floor(startOffset(id) * 200));
        expect(times.length, id).to.equal(5);
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, id).to.equal(200);
      }
    } finally {
      mock.timers.reset();
    }
  });

  it('takes a new set of jobs while running: kept ones keep their beat, new ones start at their offset, removed ones stop after their run', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const starts = new Map<string, number[]>();
      let release: (() => void) | null = null;
      const job = (id: string, intervalMs = 200, hold = false) => ({
        id,
        intervalMs,
        run: async () => {
          starts.set(id, [...(starts.get(id) ?? []), Date.now()]);
          if (hold) await new Promise<void>((r) => (release = r));
        },
      });
      const s = new PollScheduler([job('a'), job('gone', 200, true)], 10);
      s.start();
      const run = async (ms: number) => {
        for (let t = 0; t < ms; t++) {
          mock.timers.tick(1);
          await Promise.resolve();
        }
      };
      await run(450);
      expect(starts.get('gone')?.length, 'the removed job is running').to.be.above(0);
      let settled = false;
      const change = s.setJobs([job('a'), job('new')]).then(() => (settled = true));
      await run(1);
      expect(settled, 'waits for the removed job still running').to.equal(false);
      release!();
      await change;
      const goneRuns = starts.get('gone')!.length;
      await run(600);
      await s.stop();
      const a = starts.get('a')!;
      for (let i = 1; i < a.length; i++) expect(a[i]! - a[i - 1]!, 'a keeps its beat across the change').to.equal(200);
      expect(a.length).to.equal(6);
      expect(starts.get('new')![0], 'new starts at its own offset from the change').to.equal(450 + Math.floor(startOffset('new') * 200));
      expect(starts.get('gone')!.length, 'the removed job runs no more').to.equal(goneRuns);
    } finally {
      mock.timers.reset();
    }
  });

  it("spreads the first polls of topology.yaml's devices, whose ids differ only at the end, over the interval", async () => {
    const ids = (await loadTopology('topology.yaml')).devices.map((d) => d.id);
    const tenths = new Array<number>(10).fill(0);
    for (const id of ids) tenths[Math.floor(startOffset(id) * 10)]!++;
    // Uniform would put ~10% in each tenth; the old hash put 60% of the departments in two.
    for (const [i, n] of tenths.entries()) expect(n / ids.length, `tenth ${i}: ${tenths.join(' ')}`).to.be.within(0.04, 0.17);
    const depts = Array.from({ length: 20 }, (_, i) => startOffset(`hy-dept-${i + 1}`));
    expect(Math.max(...depts) - Math.min(...depts), 'hy-dept-1..20').to.be.above(0.8);
  });

  it('never runs one device twice at once, counting the turns it skipped', async () => {
    let running = 0;
    let maxRunning = 0;
    const s = new PollScheduler(
      [
        {
          id: 'slow',
          intervalMs: 50,
          run: async () => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            await sleep(180);
            running--;
          },
        },
      ],
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
    let hung = false;
    let maxBesideHung = 0;
    const fastRuns: number[] = [];
    const jobs = [
      {
        id: 'hung',
        intervalMs: 100,
        run: () => {
          hung = true;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          return sleep(2000);
        },
      },
      ...Array.from({ length: 8 }, (_, i) => ({
        id: `fast${i}`,
        intervalMs: 100,
        run: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          if (hung) maxBesideHung = Math.max(maxBesideHung, inFlight - 1);
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
    expect(hung, 'the hung device was polled').to.equal(true);
    expect(maxInFlight).to.be.at.most(3, 'three slots');
    expect(maxBesideHung).to.be.at.most(2, 'three slots, one held by the hung device');
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
