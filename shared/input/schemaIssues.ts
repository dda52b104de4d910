/**
 * Turns zod's issues into located, human messages. zod describes what the
 * schema expected; a person editing topology.yaml needs to know which key, on
 * which line, and what to write instead.
 */
import type { z } from 'zod';
import type { Diagnostic } from './diagnostics.ts';
import type { SourceLocator } from './sourceLocator.ts';

/** Extra advice for keys people reach for that the model deliberately refuses. */
const KEY_HINTS: Record<string, string> = {
  ifIndex: 'ifIndex renumbers after a reboot or a line-card change; name the interface by ifName, ifDescr or ifAlias',
};

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${JSON.stringify(input)}`;
}

/**
 * One diagnostic per problem. Paths listed in `silenced` (already reported by
 * a more specific check, such as an inline secret) are skipped, with
 * everything under them.
 */
export function diagnosticsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  locator: SourceLocator,
  silenced: readonly (readonly PropertyKey[])[] = [],
): Diagnostic[] {
  const isSilenced = (path: readonly PropertyKey[]) => silenced.some((s) => s.length <= path.length && s.every((part, i) => part === path[i]));
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (isSilenced(path)) continue;
    // zod reports a missing key as a type, union or literal mismatch against undefined.
    const input = (issue as { input?: unknown }).input;
    if (input === undefined && path.length > 0 && ['invalid_type', 'invalid_union', 'invalid_value'].includes(issue.code)) {
      const key = String(path[path.length - 1]);
      out.push(locator.diagnostic(path.slice(0, -1), `missing required key "${key}"`));
      continue;
    }
    // A discriminated union (such as a fault's kind) that matched no option.
    const union = issue as { discriminator?: string; options?: unknown[] };
    if (issue.code === 'invalid_union' && union.discriminator && union.options) {
      const got = (input as Record<string, unknown> | undefined)?.[union.discriminator];
      out.push(
        got === undefined
          ? locator.diagnostic(path.slice(0, -1), `missing required key "${union.discriminator}"`)
          : locator.diagnostic(path, `must be one of ${union.options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeInput(got)}`),
      );
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          if (isSilenced([...path, key])) continue;
          const hint = KEY_HINTS[key] ? `: ${KEY_HINTS[key]}` : '';
          out.push(locator.diagnostic([...path, key], `unknown key "${key}"${hint}`, { atKey: true }));
        }
        break;
      case 'invalid_type': {
        const expected = issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
        out.push(locator.diagnostic(path, `must be ${expected}, got ${describeInput(input)}`));
        break;
      }
      case 'invalid_value':
        out.push(
          locator.diagnostic(
            path,
            `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(input)}`,
          ),
        );
        break;
      default:
        out.push(locator.diagnostic(path, issue.message));
    }
  }
  return out;
}
