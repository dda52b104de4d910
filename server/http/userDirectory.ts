/**
 * Who may log in to the console. Users named in nms.yaml (or the demo's)
 * are fixed: they change in that file. An admin adds, re-roles and removes
 * further users in the console; those are kept, as scrypt hashes only, in a
 * file under the data folder (mode 0600), replaced atomically.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ROLES, type Role } from '../../shared/auth/roles.ts';
import { Refusal } from '../../shared/errors/refusal.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import { hashPassword, type User } from './users.ts';

export interface UserEntry {
  username: string;
  role: Role;
  /** Named in nms.yaml, made by the demo, or added in the console. */
  source: 'config' | 'demo' | 'console';
}

export class UserDirectoryError extends Refusal {}

export const USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;
export const MIN_PASSWORD = 12;

export class UserDirectory {
  #managed: User[];

  /**
   * @param file where console-made users live; null keeps them in memory only (tests).
   * @throws Error naming the file when it exists but cannot be read.
   */
  constructor(
    private readonly fixed: readonly User[],
    private readonly file: string | null = null,
    private readonly fixedSource: 'config' | 'demo' = 'config',
  ) {
    this.#managed = [];
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as User[];
      if (!Array.isArray(data) || data.some((u) => typeof u?.username !== 'string' || !ROLES.includes(u.role) || typeof u.passwordHash !== 'string'))
        throw new Error('not a list of { username, role, passwordHash }');
      this.#managed = data.filter((u) => !fixed.some((f) => f.username === u.username));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`console users ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Everyone who may log in, with their hashes: for verifying a login only. */
  all(): readonly User[] {
    return [...this.fixed, ...this.#managed];
  }

  /**
   * What a session of this user holds to: the user's role, and a digest of
   * the password's hash (a new password ends the sessions made with the old
   * one). The demo hashes its stable passwords afresh at each start, so its
   * users hold to their role only. Null for no such user.
   */
  standing(username: string): { role: Role; credential: string } | null {
    const fixed = this.fixed.find((u) => u.username === username);
    const user = fixed ?? this.#managed.find((u) => u.username === username);
    if (!user) return null;
    const credential = fixed && this.fixedSource === 'demo' ? 'demo' : createHash('sha256').update(user.passwordHash).digest('base64url');
    return { role: user.role, credential };
  }

  /** Everyone, without hashes. */
  list(): UserEntry[] {
    return [
      ...this.fixed.map((u) => ({ username: u.username, role: u.role, source: this.fixedSource })),
      ...this.#managed.map((u) => ({ username: u.username, role: u.role, source: 'console' as const })),
    ];
  }

  /**
   * Adds a user, or changes a console-made user's role and (if given) password.
   * @throws UserDirectoryError for a fixed user, a bad name, or a short password.
   */
  put(username: string, role: Role, password: string | null): UserEntry {
    if (!USERNAME.test(username)) throw new UserDirectoryError('username: 2–32 lower-case letters, digits, ".", "_" or "-", starting with a letter');
    if (this.fixed.some((u) => u.username === username)) throw new UserDirectoryError(`user ${username} is set in nms.yaml; change it there`);
    const existing = this.#managed.find((u) => u.username === username);
    if (!existing && password === null) throw new UserDirectoryError('password: a new user needs one');
    if (password !== null && password.length < MIN_PASSWORD) throw new UserDirectoryError(`password: at least ${MIN_PASSWORD} characters`);
    const user: User = { username, role, passwordHash: password !== null ? hashPassword(password) : existing!.passwordHash };
    this.save([...this.#managed.filter((u) => u.username !== username), user]);
    return { username, role, source: 'console' };
  }

  /** @throws UserDirectoryError for a fixed or unknown user. */
  remove(username: string): void {
    if (this.fixed.some((u) => u.username === username)) throw new UserDirectoryError(`user ${username} is set in nms.yaml; remove it there`);
    if (!this.#managed.some((u) => u.username === username)) throw new UserDirectoryError(`no user ${username}`, 'not_found');
    this.save(this.#managed.filter((u) => u.username !== username));
  }

  private save(managed: User[]): void {
    if (this.file) writeFileAtomicSync(this.file, JSON.stringify(managed, null, 1), 0o600);
    this.#managed = managed;
  }
}
