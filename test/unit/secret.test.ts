import { expect } from 'chai';
import { inspect, format } from 'node:util';
import { Secret } from '../../shared/secret.ts';

describe('Secret', () => {
  const s = new Secret('public-community');

  it('never shows its value when printed, logged or serialised', () => {
    const renderings = [String(s), `${s}`, JSON.stringify({ community: s }), inspect({ nested: { s } }), format('%s %o %j', s, s, { s })];
    for (const r of renderings) {
      expect(r).to.include('<secret>');
      expect(r).not.to.include('public-community');
    }
  });

  it('gives its value only through reveal()', () => {
    expect(s.reveal()).to.equal('public-community');
  });
});
