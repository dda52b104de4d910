/**
 * WeCom (企业微信) group robot: the key in the URL, markdown content, and
 * mentions by mobile through a text message (markdown cannot @ by mobile).
 * A reply with errcode ≠ 0 is a failure even under HTTP 200.
 */
import { z } from 'zod';
import { phoneNumber } from '../../shared/input/phoneNumber.ts';
import { secretRefSchema } from '../../shared/input/secretRefSchema.ts';
import type { Secret } from '../../shared/secret.ts';
import { mentionedMobiles, NotifyError, postJson, type AlarmNotice, type Notifier } from './notifier.ts';

export const wecomConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
  key: secretRefSchema,
  mentionedMobiles: z.array(phoneNumber).default([]),
});

/** Markdown, or text when someone is to be @-ed: WeCom's markdown cannot mention by mobile. */
export function wecomBody(notice: AlarmNotice, mobiles: readonly string[]) {
  return mobiles.length
    ? { msgtype: 'text', text: { content: [notice.title, ...notice.lines].join('\n'), mentioned_mobile_list: [...mobiles] } }
    : { msgtype: 'markdown', markdown: { content: [`**${notice.title}**`, ...notice.lines.map((l) => `> ${l}`)].join('\n') } };
}

export function wecomNotifier(name: string, config: z.output<typeof wecomConfigSchema>, key: Secret): Notifier {
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      const url = new URL(config.url);
      url.searchParams.set('key', key.reveal());
      const reply = (await postJson(name, url.toString(), wecomBody(notice, mentionedMobiles(notice, config.mentionedMobiles)))) as {
        errcode?: number;
        errmsg?: string;
      } | null;
      if (reply?.errcode !== 0)
        throw new NotifyError(`${name}: WeCom refused the message: errcode ${reply?.errcode} ${reply?.errmsg ?? ''}`.trim(), 200, JSON.stringify(reply));
    },
  };
}
