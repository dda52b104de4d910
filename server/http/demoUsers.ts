/**
 * Console logins for the demo. With no users in nms.yaml, the demo makes an
 * operator, a viewer and an admin with random passwords, kept in a git-ignored file
 * (mode 0600) beside the demo's SNMP credentials, so `nms up` can print the
 * same login every time. Production names its users, with hashes only.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { hashPassword, type Role, type User } from './users.ts';

export interface DemoLogin {
  username: string;
  role: Role;
  password: string;
}

const DEMO: Array<{ username: string; role: Role }> = [
  { username: 'noc', role: 'operator' },
  { username: 'manager', role: 'viewer' },
  { username: 'admin', role: 'admin' },
];

export async function demoUsers(file: string): Promise<{ users: User[]; logins: DemoLogin[] }> {
  let known: Record<string, string> = {};
  try {
    known = (parse(await readFile(file, 'utf8')) as Record<string, string> | null) ?? {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`demo logins ${file}: ${(err as Error).message}`, { cause: err });
  }
  const logins = DEMO.map((d) => ({ ...d, password: typeof known[d.username] === 'string' ? known[d.username]! : randomBytes(9).toString('base64url') }));
  if (logins.some((l) => known[l.username] !== l.password)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      file,
      `# Demo console logins, made by nms up. Not for production: name users in nms.yaml.\n${stringify(Object.fromEntries(logins.map((l) => [l.username, l.password])))}`,
      { mode: 0o600 },
    );
    await chmod(file, 0o600);
  }
  return { users: logins.map((l) => ({ username: l.username, role: l.role, passwordHash: hashPassword(l.password) })), logins };
}
