/** The console API from the browser: the session cookie goes by itself; mutations carry the CSRF token. */
import type { Role } from '../../shared/auth/roles.ts';

export interface SessionInfo {
  username: string;
  role: Role;
  csrfToken: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrf = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  // A session that ended (expired, or the user's role changed) sends the page back to the login.
  if (res.status === 401 && path !== '/api/login' && path !== '/api/session') window.dispatchEvent(new Event('nms:logged-out'));
  if (!res.ok) throw new ApiError(res.status, data.error ?? `HTTP ${res.status}`);
  return data;
}

export async function login(username: string, password: string): Promise<SessionInfo> {
  const s = await call<SessionInfo>('POST', '/api/login', { username, password });
  csrf = s.csrfToken;
  return s;
}

export async function session(): Promise<SessionInfo | null> {
  try {
    const s = await call<SessionInfo>('GET', '/api/session');
    csrf = s.csrfToken;
    return s;
  } catch {
    return null;
  }
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown) => call<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => call<T>('PUT', path, body);
export const del = <T>(path: string) => call<T>('DELETE', path);
