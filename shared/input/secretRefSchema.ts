import { z } from 'zod';

/**
 * A secret reference as written in topology.yaml or nms.yaml:
 * `{ env: NAME }` or `{ secret: <entry in secrets.yaml> }`.
 */
export const secretRefSchema = z.union(
  [
    z.strictObject({
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'must be an environment variable name like NMS_SNMP_COMMUNITY' }),
    }),
    z.strictObject({
      secret: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be the name of an entry in secrets.yaml' }),
    }),
  ],
  { error: 'must be a secret reference: { env: NAME } or { secret: <entry in secrets.yaml> }' },
);
