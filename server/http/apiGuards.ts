/**
 * What every route of the console API checks first: the parameters (a 400
 * naming the one that is wrong), the session, the role and, for mutations,
 * the CSRF token. Shared by the route modules.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { CAN } from '../../shared/auth/roles.ts';
import type { RefusalCode } from '../../shared/errors/refusal.ts';
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

/** The one place a refusal's code becomes an HTTP status. */
export const REFUSAL_STATUS: Record<RefusalCode, number> = { invalid: 400, not_found: 404, conflict: 409 };

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
