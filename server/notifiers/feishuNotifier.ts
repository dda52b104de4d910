/**
 * Feishu (飞书) custom bot: the token is the last part of the hook URL. With
 * 签名校验 the body carries timestamp (seconds) and sign:
 * Base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, text = empty)).
 * A reply with code ≠ 0 is a failure even under HTTP 200.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { secretRefSchema } from '../../shared/input/secretRefSchema.ts';
import type { Secret } from '../../shared/secret.ts';
import { NotifyError, postJson, type AlarmNotice, type Notifier } from './notifier.ts';

export const feishuConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).default('https://open.feishu.cn/open-apis/bot/v2/hook/'),
  token: secretRefSchema,
  signSecret: secretRefSchema.optional(),
});

export function feishuSign(timestampS: number, secret: string): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** The bot's text message; signed when the bot checks signatures (timestamp in seconds, as a string). */
export function feishuBody(notice: AlarmNotice, signed: { timestampS: number; sign: string } | null) {
  const text = { msg_type: 'text', content: { text: [notice.title, ...notice.lines].join('\n') } };
  return signed ? { ...text, timestamp: String(signed.timestampS), sign: signed.sign } : text;
}

export function feishuNotifier(
  name: string,
  config: z.output<typeof feishuConfigSchema>,
  secrets: { token: Secret; signSecret: Secret | null },
  now: () => number = Date.now,
): Notifier {
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      const url = `${config.url.replace(/\/?$/, '/')}${encodeURIComponent(secrets.token.reveal())}`;
      const timestampS = Math.floor(now() / 1000);
      const signed = secrets.signSecret ? { timestampS, sign: feishuSign(timestampS, secrets.signSecret.reveal()) } : null;
      const reply = (await postJson(name, url, feishuBody(notice, signed))) as { code?: number; msg?: string; StatusCode?: number } | null;
      const code = reply?.code ?? reply?.StatusCode;
      if (code !== 0) throw new NotifyError(`${name}: Feishu refused the message: code ${code} ${reply?.msg ?? ''}`.trim(), 200, JSON.stringify(reply));
    },
  };
}
