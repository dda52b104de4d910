/**
 * The shape of topology.yaml, as written by people. Every object is strict, so
 * an unknown (usually misspelt) key is an error rather than silently ignored.
 * Cross-references (does this device exist?) are checked in crossChecks.ts;
 * this file only checks each value on its own.
 */
import { z } from 'zod';
import { secretRefSchema } from '../input/secretRefSchema.ts';
import { parseManagementAddress } from '../net/managementAddress.ts';
import { invisibleCharacter } from '../input/inputBounds.ts';
import { durationSchema, rateSchema } from './unitSchemas.ts';
import { CARRIERS, DEVICE_ROLES, PROBE_METHODS, SITE_LEVELS, VENDORS } from './types.ts';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const id = z
  .string()
  .max(64, { error: 'must be at most 64 characters' })
  .regex(ID_PATTERN, { error: 'must be an id: letters, digits, ".", "_" or "-", starting with a letter or digit' });
// Names, interface names and carrier numbers are compared and shown: an invisible character
// would make two that look the same differ, and a device's interface would never be found.
const text = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(256, { error: 'must be at most 256 characters' })
  .superRefine((v, ctx) => {
    const bad = invisibleCharacter(v);
    if (bad) ctx.addIssue({ code: 'custom', message: bad });
  });

const localizedName = z.strictObject({ zh: text, en: text });
// A free label such as a device model: `model: 2811` means the text "2811".
const label = z.union([text, z.number().transform(String)]);

// Polling a WAN device faster than every 10 s loads its CPU and tells nothing a NOC can act on.
const pollInterval = durationSchema.refine((s) => s >= 10, { message: 'must be at least 10s' });

const snmpV12 = z.strictObject({
  version: z.enum(['1', '2c']),
  community: secretRefSchema,
});
const snmpV3 = z
  .strictObject({
    version: z.literal('3'),
    username: text,
    level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']),
    authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
    authKey: secretRefSchema.optional(),
    privProtocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).optional(),
    privKey: secretRefSchema.optional(),
  })
  .superRefine((p, ctx) => {
    // One place for SNMPv3's cross-field rules, as in snmp_exporter: the security
    // level decides which protocols and keys must, and must not, be present.
    const needAuth = p.level !== 'noAuthNoPriv';
    const needPriv = p.level === 'authPriv';
    const rule = (key: 'authProtocol' | 'authKey' | 'privProtocol' | 'privKey', needed: boolean) => {
      if (needed && p[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['level'], message: `level ${p.level} needs ${key}` });
      } else if (!needed && p[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `level ${p.level} does not use ${key}; remove it or raise the level` });
      }
    };
    rule('authProtocol', needAuth);
    rule('authKey', needAuth);
    rule('privProtocol', needPriv);
    rule('privKey', needPriv);
  });
// YAML reads `version: 2c` as a string but `version: 3` as a number; accept both spellings.
const snmpVersion = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.enum(['1', '2c', '3']));
const snmpProfileSchema = z.looseObject({ version: snmpVersion }).pipe(z.discriminatedUnion('version', [snmpV12, snmpV3]));

const percent = z.number().gt(0).max(100);
const milliseconds = z.number().gt(0).max(10_000);
const slaTier = z
  .strictObject({
    availability: percent,
    utilizationWarn: percent,
    utilizationCritical: percent,
    /** Round-trip delay (时延) the carrier promises, measured as a round's median. */
    latencyMs: milliseconds.optional(),
    /** Packet loss (丢包率) in percent. */
    lossPct: percent.optional(),
    /** Jitter (抖动): mean difference of consecutive round trips. */
    jitterMs: milliseconds.optional(),
  })
  .refine((t) => t.utilizationWarn < t.utilizationCritical, {
    path: ['utilizationWarn'],
    message: 'utilizationWarn must be below utilizationCritical',
  });

const timezone = text.refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai' },
);

const contact = z.strictObject({ name: text, phone: text });

const site = z.strictObject({
  id,
  level: z.enum(SITE_LEVELS),
  name: localizedName,
  parent: id.optional(),
  location: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)], {
    error: 'must be [longitude, latitude]',
  }),
  contact: contact.optional(),
});

const managementAddress = z.string({ error: 'must be an IPv4 or IPv6 address, optionally with a port' }).transform((text, ctx) => {
  const parsed = parseManagementAddress(text.trim());
  if (typeof parsed === 'string') {
    ctx.issues.push({ code: 'custom', input: text, message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const device = z
  .strictObject({
    id,
    name: localizedName.optional(),
    site: id,
    role: z.enum(DEVICE_ROLES),
    vendor: z.enum(VENDORS),
    model: label.optional(),
    managed: z.boolean().optional(),
    address: managementAddress.optional(),
    /** UDP port of the agent (default 161): NAT'd management addresses, agents on other ports. */
    port: z.number().int().min(1).max(65535).optional(),
    snmp: id.optional(),
    pollInterval: pollInterval.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.port !== undefined && d.address?.port != null) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: `the address already names port ${d.address.port}; give the port once` });
    }
  });

const circuitEnd = z.strictObject({
  device: id.optional(),
  ifName: text.optional(),
  ifDescr: text.optional(),
  ifAlias: text.optional(),
  external: localizedName.optional(),
});

// Bounded so a round's packets are at least 100 ms apart: closer, they are a burst,
// which measures a queue's tail rather than the line.
const probeCount = z.number().int().min(1).max(100);
const probeInterval = durationSchema.refine((s) => s >= 10 && s <= 3600, { message: 'must be between 10s and 1h' });
const probeMethod = z.enum(PROBE_METHODS);
const probeSettings = z.strictObject({ method: probeMethod.optional(), count: probeCount.optional(), interval: probeInterval.optional() });
const probeObject = z
  .strictObject({ address: managementAddress.optional(), method: probeMethod.optional(), count: probeCount.optional(), interval: probeInterval.optional() })
  .superRefine((p, ctx) => {
    if (p.address?.port != null && p.method !== 'udp-echo')
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'only the udp-echo method takes a port; ICMP echo has none' });
  });
// `false`, or the settings. Not a z.union: its "Invalid input" would hide which setting is wrong.
const circuitProbe = z.unknown().transform((v, ctx): false | z.output<typeof probeObject> => {
  if (v === false) return false;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    ctx.issues.push({ code: 'custom', input: v, message: 'must be false, or the probe settings { address, method, count, interval }' });
    return z.NEVER;
  }
  const parsed = probeObject.safeParse(v);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', input: v, path: issue.path, message: issue.message });
  return z.NEVER;
});

const circuit = z.strictObject({
  id,
  name: localizedName.optional(),
  carrier: z.enum(CARRIERS),
  carrierCircuitId: text,
  bandwidth: rateSchema,
  a: circuitEnd,
  z: circuitEnd,
  sla: id,
  owner: id,
  /** Quality probing of the far end: false to skip, or where and how (default: the Z device's address, ICMP). */
  probe: circuitProbe.optional(),
});

export const topologyFileSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only topology format so far)' }),
  network: z.strictObject({ id, name: localizedName, timezone }),
  defaults: z.strictObject({ pollInterval: pollInterval.optional(), probe: probeSettings.optional() }).optional(),
  snmpProfiles: z.record(id, snmpProfileSchema),
  slaTiers: z.record(id, slaTier),
  sites: z.array(site).min(1),
  devices: z.array(device),
  circuits: z.array(circuit),
});

export type TopologyFile = z.output<typeof topologyFileSchema>;
export type CircuitEndFile = z.output<typeof circuitEnd>;
