/**
 * Console sessions: a random id in an HttpOnly, SameSite=Strict cookie,
 * signed with this installation's key, and a per-session CSRF token that
 * every mutating request must echo in the X-CSRF-Token header (the cookie
 * alone proves nothing a forged form could not send).
 *
 * Sessions are kept on disk (mode 0600, replaced atomically) so that a wall
 * screen stays logged in across a restart of nms. The file holds a digest of
 * each id, never the id: a copy of it lets nobody in. A session ends when it
 * expires (12 hours after its last use), at logout, and as soon as its user
 * is removed, given another role or a new password.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import type { Role } from './users.ts';

export interface Session {
  id: string;
  username: string;
  role: Role;
  csrfToken: string;
  expiresAtMs: number;
  /** What the user's standing was at login (UserDirectory.standing). */
  credential: string;
}

export const SESSION_COOKIE = 'nms_session';

/** Who may still hold a session: the user's role and credential now, or null when the user is gone. */
export type Standing = (username: string) => { role: Role; credential: string } | null;

export interface SessionStoreOptions {
  ttlMs?: number;
  now?: () => number;
  /** Where sessions are kept, with the key that signs their cookies; null keeps them in memory only (tests). */
  persist?: { file: string; keyFile: string } | null;
  standing?: Standing;
  /** Told when the sessions file is damaged and everyone is logged out. */
  warn?: (message: string) => void;
}

type StoredSession = Omit<Session, 'id'> & { idDigest: string };

/** A session's later expiry is written at most this often: a restart loses at most this much of it. */
const EXTEND_WRITE_MS = 60_000;

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  /** By digest of the id. */
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #standing: Standing | null;
  readonly #file: string | null;
  readonly #key: Buffer;
  #writtenAtMs = 0;
  #unwritten = false;

  /** @throws Error naming the file when the sessions or their key exist but cannot be read. */
  constructor(o: SessionStoreOptions = {}) {
    this.#ttlMs = o.ttlMs ?? 12 * 3_600_000;
    this.#now = o.now ?? Date.now;
    this.#standing = o.standing ?? null;
    this.#file = o.persist?.file ?? null;
    this.#key = o.persist ? signingKey(o.persist.keyFile) : randomBytes(32);
    if (this.#file) this.load(this.#file, o.warn ?? (() => undefined));
  }

  /** The cookie's value for a session: its id and the id's signature. */
  cookieOf(s: Session): string {
    return `${s.id}.${this.sign(s.id)}`;
  }

  create(username: string, role: Role): Session {
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      username,
      role,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAtMs: this.#now() + this.#ttlMs,
      credential: this.#standing?.(username)?.credential ?? '',
    };
    this.#sessions.set(digest(s.id), s);
    this.write();
    return s;
  }

  /** The live session for a cookie value; a used session is extended. */
  get(cookie: string | undefined): Session | null {
    const id = cookie ? this.verified(cookie) : null;
    if (!id) return null;
    const key = digest(id);
    const s = this.#sessions.get(key);
    if (!s) return null;
    // One read from disk is known by its digest only, until its cookie comes.
    s.id = id;
    if (s.expiresAtMs <= this.#now() || !this.holds(s)) {
      this.#sessions.delete(key);
      this.write();
      return null;
    }
    s.expiresAtMs = this.#now() + this.#ttlMs;
    this.#unwritten = true;
    if (this.#now() - this.#writtenAtMs >= EXTEND_WRITE_MS) this.write();
    return s;
  }

  destroy(s: Session): void {
    if (this.#sessions.delete(digest(s.id))) this.write();
  }

  /** Ends every session of a user who was removed or given another role. */
  destroyUser(username: string): void {
    const ended = [...this.#sessions].filter(([, s]) => s.username === username);
    for (const [key] of ended) this.#sessions.delete(key);
    if (ended.length) this.write();
  }

  /** Writes the sessions' latest expiries (at stop). */
  flush(): void {
    if (this.#unwritten) this.write();
  }

  static csrfMatches(session: Session, header: string | undefined): boolean {
    if (!header) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(header);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private holds(s: Session): boolean {
    if (!this.#standing) return true;
    const now = this.#standing(s.username);
    return now !== null && now.role === s.role && now.credential === s.credential;
  }

  private sign(id: string): string {
    return createHmac('sha256', this.#key).update(id).digest('base64url');
  }

  /** The id in a cookie whose signature is this installation's, else null. */
  private verified(cookie: string): string | null {
    const dot = cookie.lastIndexOf('.');
    if (dot <= 0) return null;
    const id = cookie.slice(0, dot);
    const a = Buffer.from(cookie.slice(dot + 1));
    const b = Buffer.from(this.sign(id));
    return a.length === b.length && timingSafeEqual(a, b) ? id : null;
  }

  private load(file: string, warn: (message: string) => void): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`console sessions ${file}: ${(err as Error).message}`, { cause: err });
    }
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      stored = null;
    }
    // Sessions are a convenience: a damaged file logs everyone out rather than stopping nms.
    if (!Array.isArray(stored)) {
      warn(`console sessions ${file}: not a list of sessions; everyone logs in again`);
      return;
    }
    const now = this.#now();
    for (const r of stored as StoredSession[]) {
      if (typeof r?.idDigest !== 'string' || typeof r.username !== 'string' || typeof r.csrfToken !== 'string' || typeof r.credential !== 'string') continue;
      if (typeof r.expiresAtMs !== 'number' || r.expiresAtMs <= now) continue;
      const s: Session = { id: '', username: r.username, role: r.role, csrfToken: r.csrfToken, expiresAtMs: r.expiresAtMs, credential: r.credential };
      if (this.holds(s)) this.#sessions.set(r.idDigest, s);
    }
  }

  private write(): void {
    this.#unwritten = false;
    this.#writtenAtMs = this.#now();
    if (!this.#file) return;
    const now = this.#now();
    const stored: StoredSession[] = [...this.#sessions]
      .filter(([, s]) => s.expiresAtMs > now)
      .map(([idDigest, s]) => ({ idDigest, username: s.username, role: s.role, csrfToken: s.csrfToken, expiresAtMs: s.expiresAtMs, credential: s.credential }));
    writeFileAtomicSync(this.#file, JSON.stringify(stored), 0o600);
  }
}

/** This installation's key for signing session cookies, made on first use (mode 0600). */
function signingKey(file: string): Buffer {
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length >= 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`console session key ${file}: ${(err as Error).message}`, { cause: err });
  }
  const key = randomBytes(32);
  writeFileAtomicSync(file, key.toString('base64url'), 0o600);
  return key;
}

/** Reads one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
