/**
 * An HTTP SMS gateway, by template: China's SMS providers (and the
 * government's own gateways) each take a POST of their own shape, so the
 * body is a JSON template whose strings may hold {phone}, {text} and
 * {title}. One request per phone: the on-duty person's mobile, or the fixed
 * list. A reply is a success on HTTP 2xx and, if configured, a JSON field
 * holding the expected value.
 */
import { z } from 'zod';
import { phoneNumber } from '../../shared/input/phoneNumber.ts';
import { secretRefSchema } from '../../shared/input/secretRefSchema.ts';
import type { Secret } from '../../shared/secret.ts';
import { mentionedMobiles, NotifyError, postText, type AlarmNotice, type Notifier } from './notifier.ts';

export const smsConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** JSON body; strings may use {phone}, {text}, {title} and {token}. */
  body: z.record(z.string(), z.unknown()),
  /** A secret the template may place as {token} (an API key). */
  token: secretRefSchema.optional(),
  phones: z.array(phoneNumber).default([]),
  /** SMS are short: the text is cut to this many characters. */
  maxChars: z.number().int().min(20).max(1000).default(300),
  success: z.strictObject({ field: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
});

/** The template with {phone}, {text}, {title} and {token} put in its strings, wherever they are. */
export function fillSmsTemplate(template: unknown, values: Record<string, string>): unknown {
  if (typeof template === 'string') return template.replace(/\{(phone|text|title|token)\}/g, (_, k: string) => values[k] ?? '');
  if (Array.isArray(template)) return template.map((t) => fillSmsTemplate(t, values));
  if (template && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillSmsTemplate(v, values)]));
  return template;
}

/** One short line: the title and the message without its last line (the console link), cut to fit. */
export function smsText(notice: AlarmNotice, maxChars: number): string {
  return [notice.title, ...notice.lines.slice(0, -1)].join(' ').slice(0, maxChars);
}

export function smsNotifier(name: string, config: z.output<typeof smsConfigSchema>, token: Secret | null): Notifier {
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      // The person on duty first: theirs is the phone that must ring.
      const phones = mentionedMobiles(notice, config.phones, 'on duty');
      if (phones.length === 0) throw new NotifyError(`${name}: no phone to send to (no one on duty with a mobile, and no phones configured)`);
      const text = smsText(notice, config.maxChars);
      for (const phone of phones) {
        const body = fillSmsTemplate(config.body, { phone, text, title: notice.title, token: token?.reveal() ?? '' });
        const reply = await postText(name, config.url, JSON.stringify(body));
        if (config.success) {
          let value: unknown;
          try {
            value = config.success.field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | null)?.[k], JSON.parse(reply));
          } catch {
            value = undefined;
          }
          if (value !== config.success.equals)
            throw new NotifyError(`${name}: the gateway did not accept the SMS to ${phone}: ${reply.slice(0, 300)}`, 200, reply.slice(0, 2000));
        }
      }
    },
  };
}
