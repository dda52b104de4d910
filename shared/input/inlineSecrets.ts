/**
 * Finds credentials written straight into a file. Secrets live in the
 * environment or in the git-ignored secrets file; topology.yaml is shared,
 * reviewed and committed, so a community string in it is a leak.
 * The scan walks the file's raw values rather than the parsed model, so it
 * also catches a secret under a misspelt or unknown key. Messages never
 * repeat the value.
 */
import type { YamlPath } from './sourceLocator.ts';

const SECRET_KEYS = new Set(
  ['community', 'authKey', 'privKey', 'authPassword', 'privPassword', 'password', 'token', 'secret', 'apiKey'].map((k) => k.toLowerCase()),
);

/** Paths whose value is a secret written inline (a scalar where a reference belongs). */
export function findInlineSecrets(root: unknown): YamlPath[] {
  const found: YamlPath[] = [];
  const walk = (value: unknown, path: PropertyKey[]) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, [...path, i]);
      });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (const [key, child] of entries) {
        // A bare `secret:` inside a reference ({ secret: name }) names an entry; it is not a value.
        const isRefName = key === 'secret' && entries.length === 1 && path.length > 0;
        const isScalar = child !== null && child !== undefined && typeof child !== 'object';
        if (SECRET_KEYS.has(key.toLowerCase()) && !isRefName && isScalar) found.push([...path, key]);
        else walk(child, [...path, key]);
      }
    }
  };
  walk(root, []);
  return found;
}

export const INLINE_SECRET_MESSAGE = 'secret written inline; reference it instead, e.g. { env: NMS_SNMP_COMMUNITY } or { secret: <entry in secrets.yaml> }';
