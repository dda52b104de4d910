/**
 * Parses a YAML input file (topology, config) against a zod schema and returns
 * typed data, or every problem at once with file:line:column. Shared by all of
 * the product's hand-written files so they fail in the same clear way.
 */
import { readFile } from 'node:fs/promises';
import * as jsYaml from 'js-yaml';
import type { z } from 'zod';
import { InputFileError, type Diagnostic } from './diagnostics.ts';
import { findInlineSecrets, INLINE_SECRET_MESSAGE } from './inlineSecrets.ts';
import { decodeInput, longStrings, MAX_STRING_LENGTH, nestingProblems } from './inputBounds.ts';
import { diagnosticsFromIssues } from './schemaIssues.ts';
import { parseWithPositions, SourceLocator } from './sourceLocator.ts';

const MAX_ALIAS_EXPANSIONS = 100;

export interface CheckedYaml<T> {
  /** The typed data, when the file passed the schema. */
  data: T | undefined;
  /** The document as plain values, for checks that must run even when the schema failed. */
  raw: unknown;
  problems: Diagnostic[];
  /** Locates further problems found by checks that need the whole file. */
  locator: SourceLocator;
}

/**
 * Checks YAML text for syntax errors, inline secrets and schema problems, and
 * returns them all rather than stopping at the first. `raw` is undefined past
 * a real syntax error, where the tree is guesswork.
 */
export interface CheckOptions {
  /** Only for the secrets file itself, whose values are secrets by design. */
  inlineSecretsAllowed?: boolean;
}

export function checkYaml<S extends z.ZodType>(text: string, file: string, schema: S, options: CheckOptions = {}): CheckedYaml<z.output<S>> {
  // Nesting is bounded before either parser recurses into it.
  const tooDeep = nestingProblems(text, file);
  if (tooDeep.length) return { data: undefined, raw: undefined, problems: tooDeep, locator: new SourceLocator(file, text) };
  const quick = quickParse(text);
  if (quick === undefined) return checkPrecisely(text, file, schema, options);
  // The usual case, a sound file: js-yaml reads it in a tenth of the time and memory, and
  // the precise parser runs only if a problem has to be placed.
  const locator = new SourceLocator(file, text);
  return validate(quick.value, file, schema, options, locator, []);
}

/**
 * The file's values by js-yaml (YAML 1.2 core schema, as the `yaml` library
 * reads it), or undefined when only the precise parser can say what is
 * wrong (a syntax error, a duplicate key, several documents) or the file uses
 * aliases (the precise parser bounds their expansion).
 */
function quickParse(text: string): { value: unknown } | undefined {
  if (MAY_USE_ALIASES.test(text)) return undefined;
  try {
    return { value: jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) ?? null };
  } catch {
    return undefined;
  }
}

/**
 * An alias (`*name`) stands where a node may start: after a space, a line
 * start or a flow indicator. A `*` in a quoted string or comment may match
 * too, which only costs the slower parser.
 */
const MAY_USE_ALIASES = /(^|[\s[{,])\*[^\s,[\]{}]/m;

/** Every node with its position, for a file that is broken or uses aliases. */
function checkPrecisely<S extends z.ZodType>(text: string, file: string, schema: S, options: CheckOptions): CheckedYaml<z.output<S>> {
  const parsed = parseWithPositions(text);
  const { doc, lines } = parsed;
  const locator = new SourceLocator(file, parsed);

  const problems: Diagnostic[] = [];
  for (const e of doc.errors) {
    // Point past indentation at the first thing a person can see.
    let offset = e.pos[0];
    while (text[offset] === ' ' || text[offset] === '\t') offset++;
    const { line, col } = lines.linePos(offset);
    // One broken line often yields several parser errors at one place; the first says it best.
    if (problems.some((p) => p.line === line && p.column === col)) continue;
    const message = e.code === 'DUPLICATE_KEY' ? 'duplicate key' : e.message.split('\n')[0]!;
    problems.push({ file, line, column: col, path: '', message });
  }
  // A duplicate key leaves a sound tree, so checking goes on past it.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return { data: undefined, raw: undefined, problems, locator };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (err) {
    // yaml throws when aliases expand past the limit (a "billion laughs" file).
    problems.push({ file, line: 1, column: 1, path: '', message: `${(err as Error).message} (more than ${MAX_ALIAS_EXPANSIONS} alias expansions)` });
    return { data: undefined, raw: undefined, problems, locator };
  }
  return validate(raw, file, schema, options, locator, problems);
}

/** Inline secrets and the schema, on the file's values; problems placed by the locator. */
function validate<S extends z.ZodType>(
  raw: unknown,
  file: string,
  schema: S,
  options: CheckOptions,
  locator: SourceLocator,
  problems: Diagnostic[],
): CheckedYaml<z.output<S>> {
  const secretPaths = options.inlineSecretsAllowed ? [] : findInlineSecrets(raw);
  problems.push(...secretPaths.map((p) => locator.diagnostic(p, INLINE_SECRET_MESSAGE)));
  const long = longStrings(raw);
  problems.push(...long.map((l) => locator.diagnostic(l.path, `is ${l.length} characters long; at most ${MAX_STRING_LENGTH}`)));
  if (long.length) return { data: undefined, raw, problems, locator };
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    if (raw === null) problems.push({ file, line: 1, column: 1, path: '', message: 'the file is empty' });
    else problems.push(...diagnosticsFromIssues(parsed.error.issues, locator, secretPaths));
  }
  return { data: parsed.success ? detachFromSource(parsed.data) : undefined, raw, problems, locator };
}

/**
 * Replaces every string in plain objects and arrays, in place, with one flat
 * copy per distinct text. V8 keeps a substring as a slice of its parent, so
 * one interface name kept from a topology would hold the whole file's text in
 * memory (20 MB for a province-sized file); and a carrier or tier named on
 * 50,000 circuits is then one string, not 50,000.
 */
function detachFromSource<T>(value: T): T {
  const seen = new Map<string, string>();
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let kept = seen.get(v);
      if (kept === undefined) {
        kept = v.length >= 13 ? (JSON.parse(JSON.stringify(v)) as string) : v;
        seen.set(kept, kept);
      }
      return kept;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = copy(v[i]);
    } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = copy(o[k]);
    }
    return v;
  };
  return copy(value) as T;
}

/**
 * Like checkYaml, for files that need no checks beyond the schema.
 * @throws InputFileError with every problem.
 */
export function parseValidatedYaml<S extends z.ZodType>(text: string, file: string, schema: S, options: CheckOptions = {}): z.output<S> {
  const checked = checkYaml(text, file, schema, options);
  if (checked.problems.length > 0 || checked.data === undefined) throw new InputFileError(file, checked.problems);
  return checked.data;
}

/**
 * Reads a file for parseValidatedYaml, with an error that names the file.
 * @throws Error when the file cannot be read; InputFileError when it is too big or not UTF-8.
 */
export async function readInputFile(file: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (code ?? String(err));
    throw new Error(`cannot read ${what} ${file}: ${reason}`, { cause: err });
  }
  const decoded = decodeInput(bytes, file);
  if ('problems' in decoded) throw new InputFileError(file, decoded.problems);
  return decoded.text;
}
