/**
 * The explicit list of push transports, and the one place channels are built
 * from config. A channel of an unknown kind, with a bad or unknown key, or
 * whose secret is not set, fails here at start-up, with the channel's name and
 * the path to the problem, never on the first alarm at 3 a.m.
 */
import { z } from 'zod';
import { resolveSecret, type SecretRef, type SecretSources } from '../../shared/secret.ts';
import { dingtalkConfigSchema, dingtalkNotifier } from './dingtalkNotifier.ts';
import { emailConfigSchema, emailNotifier } from './emailNotifier.ts';
import { feishuConfigSchema, feishuNotifier } from './feishuNotifier.ts';
import type { Notifier } from './notifier.ts';
import { smsConfigSchema, smsNotifier } from './smsNotifier.ts';
import { webhookConfigSchema, webhookNotifier } from './webhookNotifier.ts';
import { WebSocketHub, websocketNotifier } from './websocketNotifier.ts';
import { wecomConfigSchema, wecomNotifier } from './wecomNotifier.ts';

export const NOTIFIER_KINDS = ['websocket', 'webhook', 'dingtalk', 'wecom', 'feishu', 'email', 'sms'] as const;
export type NotifierKind = (typeof NOTIFIER_KINDS)[number];

/** What a transport may need from the running product besides its own config. */
export interface NotifierContext {
  websocketHub: WebSocketHub;
}

interface Factory<S extends z.ZodType> {
  schema: S;
  /**
   * Whether a receiver can drop a repeat by the push's id, so a push whose
   * answer was lost in a crash may be sent again: the webhook (X-NMS-Delivery)
   * and the console's own WebSocket (it shows the alarm, not each message).
   * A chat robot, SMS or mail cannot: a second send is a second message.
   */
  resendableById: boolean;
  create(name: string, config: z.output<S>, secret: (ref: SecretRef) => ReturnType<typeof resolveSecret>, context: NotifierContext): Notifier;
}

const factory = <S extends z.ZodType>(f: Factory<S>) => f;

const FACTORIES = {
  websocket: factory({ schema: z.strictObject({}), resendableById: true, create: (name, _c, _s, context) => websocketNotifier(name, context.websocketHub) }),
  email: factory({
    schema: emailConfigSchema,
    resendableById: false,
    create: (name, c, secret) => emailNotifier(name, c, c.password ? secret(c.password) : null),
  }),
  sms: factory({ schema: smsConfigSchema, resendableById: false, create: (name, c, secret) => smsNotifier(name, c, c.token ? secret(c.token) : null) }),
  webhook: factory({
    schema: webhookConfigSchema,
    resendableById: true,
    create: (name, c, secret) => webhookNotifier(name, c, c.signingSecret ? secret(c.signingSecret) : null),
  }),
  dingtalk: factory({
    schema: dingtalkConfigSchema,
    resendableById: false,
    create: (name, c, secret) => dingtalkNotifier(name, c, { accessToken: secret(c.accessToken), signSecret: c.signSecret ? secret(c.signSecret) : null }),
  }),
  wecom: factory({ schema: wecomConfigSchema, resendableById: false, create: (name, c, secret) => wecomNotifier(name, c, secret(c.key)) }),
  feishu: factory({
    schema: feishuConfigSchema,
    resendableById: false,
    create: (name, c, secret) => feishuNotifier(name, c, { token: secret(c.token), signSecret: c.signSecret ? secret(c.signSecret) : null }),
  }),
} satisfies Record<NotifierKind, Factory<z.ZodType>>;

/** What every channel has, whatever its kind. */
const commonSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lower-case letters, digits and dashes' }),
  kind: z.enum(NOTIFIER_KINDS),
  /** Robots refuse more than about 20 messages a minute. */
  ratePerMinute: z.number().int().min(1).max(600).default(20),
  retries: z.number().int().min(0).max(20).default(5),
  language: z.enum(['zh', 'en']).optional(),
});

export type ChannelSettings = z.output<typeof commonSchema>;

export interface Channel {
  settings: ChannelSettings;
  notifier: Notifier;
  /** See Factory.resendableById. */
  resendableById: boolean;
}

export class ChannelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

/**
 * Builds every configured channel.
 * @throws ChannelConfigError listing every problem, e.g. `notify.channels[1] (noc-dingtalk).accessToken: ...`
 */
export function buildChannels(
  raw: unknown[],
  sources: SecretSources,
  where = 'notify.channels',
  context: NotifierContext = { websocketHub: new WebSocketHub() },
): Channel[] {
  const problems: string[] = [];
  const channels: Channel[] = [];
  const names = new Set<string>();
  raw.forEach((entry, i) => {
    const at = `${where}[${i}]`;
    const obj = (entry ?? {}) as Record<string, unknown>;
    const label = typeof obj.name === 'string' ? `${at} (${obj.name})` : at;
    const { name, kind, ratePerMinute, retries, language, ...rest } = obj;
    const common = commonSchema.safeParse({ name, kind, ratePerMinute, retries, language });
    if (!common.success) {
      problems.push(
        ...common.error.issues.map(
          (iss) => `${label}.${iss.path.join('.')}: ${iss.path[0] === 'kind' ? `unknown kind; one of ${NOTIFIER_KINDS.join(', ')}` : iss.message}`,
        ),
      );
      return;
    }
    if (names.has(common.data.name)) problems.push(`${label}.name: a second channel named ${common.data.name}`);
    names.add(common.data.name);
    const f = FACTORIES[common.data.kind] as Factory<z.ZodType>;
    const parsed = f.schema.safeParse(rest);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((iss) => `${label}.${iss.path.join('.') || '(channel)'}: ${iss.message}`));
      return;
    }
    try {
      channels.push({
        settings: common.data,
        notifier: f.create(common.data.name, parsed.data, (ref) => resolveSecret(ref, sources), context),
        resendableById: f.resendableById,
      });
    } catch (err) {
      problems.push(`${label}: ${(err as Error).message}`);
    }
  });
  if (problems.length) throw new ChannelConfigError(`notification channels:\n  ${problems.join('\n  ')}`);
  return channels;
}
