/**
 * The one-method contract every push transport meets, and what it is given:
 * an alarm notice already worded for people. Each transport is one file;
 * the registry (notifierRegistry.ts) builds them from config at start-up.
 */
import type { Alarm } from '../../shared/alarms/types.ts';
import type { PushReason } from '../alarms/alarmJournal.ts';

export interface AlarmNotice {
  /** Unique per alarm, reason and channel: receivers can drop a repeat. */
  id: string;
  reason: PushReason;
  alarm: Alarm;
  /** One line, e.g. 【紧急】衡东县 10M 上联中断. */
  title: string;
  /** The whole message as plain text lines. */
  lines: string[];
  /** A link to the alarm in the console. */
  url: string;
  language: 'zh' | 'en';
  /** The on-duty people this push is for; robots @ them by mobile. */
  mentions: Array<{ name: string; mobile: string | null; email: string | null }>;
}

/** A finished report for the people a schedule names: the files, and where to download them. */
export interface ReportNotice {
  /** Unique per schedule, period and channel: receivers can drop a repeat. */
  id: string;
  title: string;
  lines: string[];
  /** The files in the console (log in to download). */
  links: Array<{ format: string; url: string }>;
  /** The files themselves, for transports that carry them (email). */
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

export interface Notifier {
  /** The channel's name from config, for records and messages. */
  readonly name: string;
  /** @throws NotifyError when the transport refuses or cannot be reached. */
  send(notice: AlarmNotice): Promise<void>;
  /** Transports that can carry reports (email with the files, webhook with links). @throws NotifyError */
  sendReport?(notice: ReportNotice): Promise<void>;
}

/** The mobiles a push is for, each once: those configured on the channel and the on-duty people's, in the order given. */
export function mentionedMobiles(notice: AlarmNotice, configured: readonly string[], first: 'configured' | 'on duty' = 'configured'): string[] {
  const onDuty = notice.mentions.flatMap((m) => (m.mobile ? [m.mobile] : []));
  return [...new Set(first === 'configured' ? [...configured, ...onDuty] : [...onDuty, ...configured])];
}

/** A push that did not go through, with what the other side said. */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly body: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NotifyError';
  }
}

/**
 * POSTs a body already serialised (a signature may cover its exact bytes) and returns the reply's text.
 * @throws NotifyError naming the channel, with the HTTP status and the start of the body.
 */
export async function postText(
  channel: string,
  url: string,
  text: string,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
      body: text,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new NotifyError(`${channel}: ${redactUrl(url)}: ${(err as Error).message}`, null, null, { cause: err });
  }
  const reply = await res.text().catch(() => '');
  if (!res.ok) throw new NotifyError(`${channel}: HTTP ${res.status} from ${redactUrl(url)}: ${reply.slice(0, 300)}`, res.status, reply.slice(0, 2000));
  return reply;
}

/** POSTs JSON and returns the parsed reply (or its text, if it is not JSON). @throws NotifyError */
export async function postJson(
  channel: string,
  url: string,
  body: unknown,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<unknown> {
  const reply = await postText(channel, url, JSON.stringify(body), options);
  try {
    return reply ? JSON.parse(reply) : null;
  } catch {
    return reply;
  }
}

/** Robot URLs carry their token in the query: never log it. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/hook\/[^/]+$/, '/hook/<secret>')}${u.search ? '?<redacted>' : ''}`;
  } catch {
    return '<invalid url>';
  }
}
