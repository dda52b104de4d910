/**
 * What every route of the console API checks first: the parameters (a 400
 * naming the one that is wrong), the session, the role and, for mutations,
 * the CSRF token. Shared by the route modules.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { CAN } from '../../shared/auth/roles.ts';
import { SessionStore, type Session } from './sessions.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Authed = Request & { session?: Session };

/** Parses with zod, or a 400 naming the parameter and what is wrong with it. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new HttpError(400, `${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
}

/** The caller's address, for the audit log and the login limit. */
export const requestIp = (req: Request) => req.socket.remoteAddress ?? 'unknown';

/**
 * Runs a store's change and turns its refusal of bad input into a 400, or a
 * 404 for what does not exist ("no …").
 */
export function refusedAs<T>(fn: () => T, ...refusals: Array<new (...args: never[]) => Error>): T {
  try {
    return fn();
  } catch (err) {
    if (refusals.some((k) => err instanceof k)) throw new HttpError(/^no /.test((err as Error).message) ? 404 : 400, (err as Error).message);
    throw err;
  }
}

export interface Guards {
  needSession(req: Authed): Session;
  /** A read only admins may make. */
  adminRead(req: Authed): Session;
  /** A mutation: a session, the CSRF token, and (if given) a role that may do it. */
  mutation(req: Authed, can: keyof typeof CAN | null): Session;
}

export function guards(): Guards {
  const needSession = (req: Authed): Session => {
    if (!req.session) throw new HttpError(401, 'log in first');
    return req.session;
  };
  return {
    needSession,
    adminRead: (req) => {
      const s = needSession(req);
      if (!CAN.administer.includes(s.role)) throw new HttpError(403, `a ${s.role} may not see this`);
      return s;
    },
    mutation: (req, can) => {
      const s = needSession(req);
      if (!SessionStore.csrfMatches(s, req.get('x-csrf-token'))) throw new HttpError(403, 'missing or wrong X-CSRF-Token header');
      if (can && !CAN[can].includes(s.role)) throw new HttpError(403, `a ${s.role} may not do this`);
      return s;
    },
  };
}
