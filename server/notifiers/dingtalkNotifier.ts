/**
 * DingTalk (钉钉) group robot. With 加签 the URL carries timestamp and sign:
 * Base64(HMAC-SHA256(key = secret, text = `${timestamp}\n${secret}`)),
 * URL-encoded, timestamp in ms. A reply with errcode ≠ 0 is a failure even
 * under HTTP 200 (e.g. 310000 for a bad signature, 130101 for too many).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { phoneNumber } from '../../shared/input/phoneNumber.ts';
import { secretRefSchema } from '../../shared/input/secretRefSchema.ts';
import type { Secret } from '../../shared/secret.ts';
import { mentionedMobiles, NotifyError, postJson, type AlarmNotice, type Notifier } from './notifier.ts';

export const dingtalkConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).default('https://oapi.dingtalk.com/robot/send'),
  accessToken: secretRefSchema,
  signSecret: secretRefSchema.optional(),
  /** Mobiles to @ (they must be members of the group). */
  atMobiles: z.array(phoneNumber).default([]),
});

export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The robot's markdown message. DingTalk notifies an @ only when the mobile is both listed and written in the text. */
export function dingtalkBody(notice: AlarmNotice, atMobiles: readonly string[]) {
  const text = [`### ${notice.title}`, ...notice.lines.map((l) => `- ${l}`), atMobiles.map((m) => `@${m}`).join(' ')].filter(Boolean).join('\n');
  return { msgtype: 'markdown', markdown: { title: notice.title, text }, at: { atMobiles: [...atMobiles], isAtAll: false } };
}

export function dingtalkNotifier(
  name: string,
  config: z.output<typeof dingtalkConfigSchema>,
  secrets: { accessToken: Secret; signSecret: Secret | null },
  now: () => number = Date.now,
): Notifier {
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      const url = new URL(config.url);
      url.searchParams.set('access_token', secrets.accessToken.reveal());
      if (secrets.signSecret) {
        const timestamp = now();
        url.searchParams.set('timestamp', String(timestamp));
        url.searchParams.set('sign', dingtalkSign(timestamp, secrets.signSecret.reveal()));
      }
      const reply = (await postJson(name, url.toString(), dingtalkBody(notice, mentionedMobiles(notice, config.atMobiles)))) as {
        errcode?: number;
        errmsg?: string;
      } | null;
      if (reply?.errcode !== 0)
        throw new NotifyError(`${name}: DingTalk refused the message: errcode ${reply?.errcode} ${reply?.errmsg ?? ''}`.trim(), 200, JSON.stringify(reply));
    },
  };
}
