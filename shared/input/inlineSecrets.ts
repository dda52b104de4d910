/**
 * Finds credentials written straight into a file. Secrets live in the
 * environment or in the git-ignored secrets file; topology.yaml is shared,
 * reviewed and committed, so a community string in it is a leak.
 * The scan walks the raw YAML rather than the parsed model, so it also catches
 * a secret under a misspelt or unknown key. Messages never repeat the value.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { YamlPath } from './sourceLocator.ts';

const SECRET_KEYS = new Set(
  ['community', 'authKey', 'privKey', 'authPassword', 'privPassword', 'password', 'token', 'secret', 'apiKey']
    .map((k) => k.toLowerCase()),
);

/** Paths whose value is a secret written inline (a scalar where a reference belongs). */
export function findInlineSecrets(root: Node | null): YamlPath[] {
  const found: YamlPath[] = [];
  const walk = (node: Node | null, path: PropertyKey[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const value = (pair.value as Node | null) ?? null;
        // A bare `secret:` inside a reference ({ secret: name }) names an entry; it is not a value.
        const isRefName = key === 'secret' && node.items.length === 1 && path.length > 0;
        if (SECRET_KEYS.has(key.toLowerCase()) && !isRefName && isScalar(value) && value.value !== null) {
          found.push([...path, key]);
        } else {
          walk(value, [...path, key]);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, [...path, i]));
    }
  };
  walk(root, []);
  return found;
}

export const INLINE_SECRET_MESSAGE =
  'secret written inline; reference it instead, e.g. { env: NMS_SNMP_COMMUNITY } or { secret: <entry in secrets.yaml> }';
