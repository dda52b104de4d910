/**
 * Console sessions kept on disk: a session outlives a restart (a new store
 * on the same files), its cookie is signed and the file holds no cookie, and
 * it ends on expiry, logout, or when its user is gone, re-roled or given a
 * new password, before or after the restart. The file is read back as the
 * next start would read it.
 */
import { expect } from 'chai';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../../shared/auth/roles.ts';
import { SessionStore, type Standing } from '../../../server/http/sessions.ts';
import { tempDir } from '../../support/tempDir.ts';

describe('console sessions on disk', () => {
  let dir: { path: string; remove(): Promise<void> };
  let now: number;
  let users: Map<string, { role: Role; credential: string }>;
  const standing: Standing = (u) => users.get(u) ?? null;
  const warnings: string[] = [];
  const store = () =>
    new SessionStore({
      now: () => now,
      ttlMs: 3_600_000,
      standing,
      persist: { file: join(dir.path, 'sessions.json'), keyFile: join(dir.path, 'session.key') },
      warn: (m) => warnings.push(m),
    });

  beforeEach(async () => {
    dir = await tempDir('sessions');
    now = Date.parse('2026-12-03T08:00:00Z');
    users = new Map([
      ['noc', { role: 'operator', credential: 'h1' }],
      ['admin', { role: 'admin', credential: 'h2' }],
    ]);
    warnings.length = 0;
  });
  afterEach(() => dir.remove());

  it('finds a session after a restart, with the same user, role and CSRF token', () => {
    const first = store();
    const s = first.create('noc', 'operator');
    const cookie = first.cookieOf(s);
    first.flush();
    const again = store().get(cookie);
    expect(again && { username: again.username, role: again.role, csrf: again.csrfToken }).to.deep.equal({
      username: 'noc',
      role: 'operator',
      csrf: s.csrfToken,
    });
  });

  it('keeps neither the cookie nor the id in the file, which only its owner may read', () => {
    const first = store();
    const s = first.create('noc', 'operator');
    const text = readFileSync(join(dir.path, 'sessions.json'), 'utf8');
    expect(text).to.not.include(s.id);
    expect(text).to.not.include(first.cookieOf(s));
    expect(statSync(join(dir.path, 'sessions.json')).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir.path, 'session.key')).mode & 0o777).to.equal(0o600);
  });

  it('refuses a cookie whose signature is not this installation’s', () => {
    const a = store();
    const s = a.create('noc', 'operator');
    const cookie = a.cookieOf(s);
    const [id, sig] = cookie.split('.') as [string, string];
    expect(a.get(id), 'an id alone').to.equal(null);
    expect(a.get(`${id}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`), 'a changed signature').to.equal(null);
    expect(a.get(`${id}.`), 'an empty signature').to.equal(null);
    // Another installation (another key) signs the same id differently.
    const other = new SessionStore({ now: () => now, standing });
    expect(other.get(cookie)).to.equal(null);
    expect(a.get(cookie)?.username).to.equal('noc');
  });

  it('ends a session an hour after its last use, and a restart does not bring it back', () => {
    const a = store();
    const cookie = a.cookieOf(a.create('noc', 'operator'));
    now += 50 * 60_000;
    expect(a.get(cookie), 'used within the hour').to.not.equal(null);
    now += 50 * 60_000;
    expect(a.get(cookie), 'an hour after its creation, 50 minutes after its use').to.not.equal(null);
    a.flush();
    now += 61 * 60_000;
    expect(store().get(cookie), 'after a restart, past its hour').to.equal(null);
    expect(a.get(cookie)).to.equal(null);
  });

  it('ends at logout, for a restart too', () => {
    const a = store();
    const s = a.create('noc', 'operator');
    const cookie = a.cookieOf(s);
    a.destroy(s);
    expect(a.get(cookie)).to.equal(null);
    expect(store().get(cookie)).to.equal(null);
  });

  it('logs out through a store that read the session from disk', () => {
    const a = store();
    const cookie = a.cookieOf(a.create('noc', 'operator'));
    const b = store();
    b.destroy(b.get(cookie)!);
    expect(store().get(cookie)).to.equal(null);
  });

  it('ends when the user is removed, re-roled or given a new password, whether nms restarted or not', () => {
    const a = store();
    const noc = a.cookieOf(a.create('noc', 'operator'));
    const admin = a.cookieOf(a.create('admin', 'admin'));
    users.set('noc', { role: 'viewer', credential: 'h1' });
    expect(a.get(noc), 're-roled').to.equal(null);
    users.set('admin', { role: 'admin', credential: 'h3' });
    expect(store().get(admin), 'a new password, then a restart').to.equal(null);
    const b = store();
    const gone = b.cookieOf(b.create('admin', 'admin'));
    users.delete('admin');
    expect(store().get(gone), 'removed, then a restart').to.equal(null);
  });

  it('logs everyone out, and says so, when the file is damaged, rather than refusing to start', () => {
    const a = store();
    const cookie = a.cookieOf(a.create('noc', 'operator'));
    writeFileSync(join(dir.path, 'sessions.json'), '{"not": "a list"');
    const b = store();
    expect(b.get(cookie)).to.equal(null);
    expect(warnings.join('\n')).to.match(/console sessions .*sessions\.json: not a list of sessions; everyone logs in again/);
    // Records of the wrong shape are passed over, the rest kept.
    const c = store();
    const kept = c.cookieOf(c.create('noc', 'operator'));
    const stored = JSON.parse(readFileSync(join(dir.path, 'sessions.json'), 'utf8')) as unknown[];
    writeFileSync(join(dir.path, 'sessions.json'), JSON.stringify([...stored, { idDigest: 5 }, null, 'x']));
    expect(store().get(kept)?.username).to.equal('noc');
  });
});
