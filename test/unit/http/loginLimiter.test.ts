/** Login throttling on a hand-moved clock: back-off per address and name, never a lock anyone else can set. */
import { expect } from 'chai';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from '../../../server/http/loginLimiter.ts';

describe('login limiter', () => {
  let t = 0;
  const limiter = () => new LoginLimiter(DEFAULT_LOGIN_LIMITS, () => t);
  beforeEach(() => (t = 1_000_000));

  it('lets five wrong passwords through, then makes the pair wait 1 s, 2 s, 4 s … up to 5 minutes', () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) {
      expect(l.retryAfterS('10.1.1.1', 'noc')).to.equal(0);
      l.failed('10.1.1.1', 'noc');
    }
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const w = l.retryAfterS('10.1.1.1', 'noc');
      waits.push(w);
      t += w * 1000;
      expect(l.retryAfterS('10.1.1.1', 'noc'), 'free again once the wait is over').to.equal(0);
      l.failed('10.1.1.1', 'noc');
    }
    expect(waits.slice(0, 6)).to.deep.equal([1, 2, 4, 8, 16, 32]);
    expect(Math.max(...waits)).to.equal(300);
  });

  it('never delays the same name from another address, and a right password clears only its own pair', () => {
    const l = limiter();
    for (let i = 0; i < 6; i++) l.failed('198.51.100.7', 'noc');
    expect(l.retryAfterS('198.51.100.7', 'noc')).to.be.above(0);
    expect(l.retryAfterS('10.1.1.1', 'noc'), 'the wall screen from its own address').to.equal(0);
    l.succeeded('10.1.1.1', 'noc');
    expect(l.retryAfterS('198.51.100.7', 'noc'), "the attacker's pair is still slowed").to.be.above(0);
  });

  it('slows an address spraying many names, and a valid login in between does not reset it', () => {
    const l = limiter();
    for (let i = 0; i < 19; i++) {
      l.failed('10.9.9.9', `user${i}`);
      if (i === 10) l.succeeded('10.9.9.9', 'noc');
    }
    expect(l.retryAfterS('10.9.9.9', 'someone-new')).to.equal(0);
    l.failed('10.9.9.9', 'user19');
    expect(l.retryAfterS('10.9.9.9', 'someone-new')).to.equal(1);
    l.succeeded('10.9.9.9', 'noc');
    expect(l.retryAfterS('10.9.9.9', 'someone-new'), 'after a success too').to.equal(1);
  });

  it('forgets failures older than the window', () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) l.failed('10.1.1.1', 'noc');
    expect(l.retryAfterS('10.1.1.1', 'noc')).to.equal(1);
    t += DEFAULT_LOGIN_LIMITS.windowMs;
    l.failed('10.1.1.1', 'noc');
    expect(l.retryAfterS('10.1.1.1', 'noc')).to.equal(0);
  });
});
