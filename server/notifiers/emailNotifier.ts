/**
 * Email over SMTP (nodemailer: the maintained SMTP client for Node; it does
 * STARTTLS, AUTH and MIME encoding of Chinese subjects, which we would
 * otherwise write ourselves). The subject is the notice's title, the body its
 * lines; the on-duty person's address, when known, joins the recipients.
 * Scheduled reports go out with their files attached.
 */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { secretRefSchema } from '../../shared/input/secretRefSchema.ts';
import type { Secret } from '../../shared/secret.ts';
import { NotifyError, type AlarmNotice, type Notifier, type ReportNotice } from './notifier.ts';

export const emailConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  username: z.string().min(1).optional(),
  password: secretRefSchema.optional(),
  from: z.email(),
  to: z.array(z.email()).min(1),
});

export function emailNotifier(name: string, config: z.output<typeof emailConfigSchema>, password: Secret | null): Notifier {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.username ? { auth: { user: config.username, pass: password?.reveal() ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const mail = async (message: Parameters<typeof transport.sendMail>[0] & { id: string }) => {
    const { id, ...rest } = message;
    try {
      await transport.sendMail({ from: config.from, messageId: `<${id.replace(/[^A-Za-z0-9.@_-]/g, '.')}@nms>`, headers: { 'X-NMS-Delivery': id }, ...rest });
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message: string };
      throw new NotifyError(`${name}: SMTP ${config.host}:${config.port}: ${e.response ?? e.message}`, e.responseCode ?? null, e.response ?? null, {
        cause: err,
      });
    }
  };
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      await mail({
        id: notice.id,
        to: [...new Set([...config.to, ...notice.mentions.flatMap((m) => (m.email ? [m.email] : []))])],
        subject: notice.title,
        text: notice.lines.join('\n'),
      });
    },
    async sendReport(notice: ReportNotice): Promise<void> {
      await mail({
        id: notice.id,
        to: config.to,
        subject: notice.title,
        text: [...notice.lines, '', ...notice.links.map((l) => `${l.format.toUpperCase()}: ${l.url}`)].join('\n'),
        attachments: notice.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
    },
  };
}
