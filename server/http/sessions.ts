/**
 * Console sessions: a random id in an HttpOnly, SameSite=Strict cookie, and a
 * per-session CSRF token that every mutating request must echo in the
 * X-CSRF-Token header (the cookie alone proves nothing a forged form could
 * not send). In memory: a restart logs everyone out, which is acceptable for
 * a NOC console and keeps no credentials on disk.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './users.ts';

export interface Session {
  id: string;
  username: string;
  role: Role;
  csrfToken: string;
  expiresAtMs: number;
}

export const SESSION_COOKIE = 'nms_session';

export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs = 12 * 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(username: string, role: Role): Session {
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      username,
      role,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAtMs: this.now() + this.ttlMs,
    };
    this.#sessions.set(s.id, s);
    return s;
  }

  /** The live session for a cookie value; a used session is extended. */
  get(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.#sessions.get(id);
    if (!s) return null;
    if (s.expiresAtMs <= this.now()) {
      this.#sessions.delete(id);
      return null;
    }
    s.expiresAtMs = this.now() + this.ttlMs;
    return s;
  }

  destroy(id: string): void {
    this.#sessions.delete(id);
  }

  /** Ends every session of a user who was removed or given another role. */
  destroyUser(username: string): void {
    for (const [id, s] of this.#sessions) if (s.username === username) this.#sessions.delete(id);
  }

  static csrfMatches(session: Session, header: string | undefined): boolean {
    if (!header) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(header);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Reads one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
