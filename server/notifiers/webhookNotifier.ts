/**
 * Generic webhook: the notice as JSON, signed with HMAC-SHA256 over the
 * exact body (header X-NMS-Signature: sha256=<hex>) when a signing secret is
 * set, so the receiver can tell our pushes from anyone else's.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { secretRefSchema } from '../../shared/input/secretRefSchema.ts';
import type { Secret } from '../../shared/secret.ts';
import { postText, type AlarmNotice, type Notifier, type ReportNotice } from './notifier.ts';

export const webhookConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  signingSecret: secretRefSchema.optional(),
});

export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a webhook receives for an alarm: the notice, whole. */
export function webhookAlarmBody(notice: AlarmNotice) {
  const { id, reason, title, lines, url, language, mentions, alarm } = notice;
  return { id, reason, title, text: lines.join('\n'), url, language, mentions, alarm };
}

/** What it receives for a report: links to its files in the console, never the files themselves. */
export function webhookReportBody(notice: ReportNotice) {
  return { id: notice.id, type: 'report', title: notice.title, text: notice.lines.join('\n'), links: notice.links };
}

export function webhookNotifier(name: string, config: z.output<typeof webhookConfigSchema>, secret: Secret | null): Notifier {
  const post = async (id: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'x-nms-delivery': id };
    if (secret) headers['x-nms-signature'] = signWebhookBody(body, secret.reveal());
    await postText(name, config.url, body, { headers });
  };
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      await post(notice.id, webhookAlarmBody(notice));
    },
    async sendReport(notice: ReportNotice): Promise<void> {
      await post(notice.id, webhookReportBody(notice));
    },
  };
}
