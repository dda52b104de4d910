/**
 * Console users and their roles, from config, with passwords stored only as
 * scrypt hashes ("scrypt$N$r$p$salt$hash", base64). Verification takes the
 * same time whether the user exists or not, so a login cannot probe names.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

import { CAN, type Role } from '../../shared/auth/roles.ts';

export { CAN, type Role };

export interface User {
  username: string;
  role: Role;
  passwordHash: string;
}

const PARAMS = { N: 16384, r: 8, p: 1, keylen: 32 };

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, PARAMS.keylen, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** @throws Error when a stored hash is not in the scrypt$N$r$p$salt$hash form. */
export function parseHash(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) throw new Error('not a password hash of the form scrypt$N$r$p$salt$hash (make one with: nms user hash)');
  return { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt: Buffer.from(m[4]!, 'base64'), hash: Buffer.from(m[5]!, 'base64') };
}

const DUMMY = hashPassword(randomBytes(12).toString('hex'));

/** The user, if the password is theirs; null otherwise, after the same work. */
export function verifyLogin(users: readonly User[], username: string, password: string): User | null {
  const user = users.find((u) => u.username === username);
  const h = parseHash(user?.passwordHash ?? DUMMY);
  const got = scryptSync(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r });
  return timingSafeEqual(got, h.hash) && user ? user : null;
}
