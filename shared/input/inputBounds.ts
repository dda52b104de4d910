/**
 * Limits a hand-written file must keep before a YAML parser sees it. Both
 * parsers recurse per level of nesting: a 3,000-deep mapping overflowed the
 * stack with no location, and a 1,000,000-deep flow took 15 s and 1.2 GB.
 * A real topology nests a handful of levels, so the bounds are far above any
 * honest file and far below what hurts; each problem names its line.
 */
import type { Diagnostic } from './diagnostics.ts';

/** A province's topology is a few MB; past this a file is not a network description. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** Columns of indentation: 128 levels at two spaces. */
export const MAX_INDENT = 256;
/** Nested [ and { in flow style. */
export const MAX_FLOW_DEPTH = 64;
/** Any one string value: an ifAlias is at most 64 characters, a description a few hundred. */
export const MAX_STRING_LENGTH = 4096;

/** Characters no identifier, interface name or carrier number may hold: controls, invisible marks, U+FFFD. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are among what this refuses
export const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffd]/;

/** Says which invisible or control character a text holds, and where, or null. */
export function invisibleCharacter(text: string): string | null {
  const m = INVISIBLE.exec(text);
  if (!m) return null;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const what = code === 'FFFD' ? 'a byte that is not UTF-8 (read as U+FFFD)' : `an invisible or control character (U+${code})`;
  return `holds ${what} at character ${m.index + 1}; retype it`;
}

/**
 * The file's text, or the problems that keep it from being parsed: too big,
 * not UTF-8 (with the line and column of the first bad byte). A UTF-8 byte
 * order mark at the start, as Windows editors write, is dropped.
 */
export function decodeInput(bytes: Buffer, file: string): { text: string } | { problems: Diagnostic[] } {
  if (bytes.length > MAX_INPUT_BYTES) {
    return { problems: [{ file, line: 1, column: 1, path: '', message: `the file is ${bytes.length} bytes; at most ${MAX_INPUT_BYTES} are read` }] };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const before = bytes.subarray(0, bad).toString('utf8');
    const lines = before.split('\n');
    return {
      problems: [
        {
          file,
          line: lines.length,
          column: lines.at(-1)!.length + 1,
          path: '',
          message: `byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad} is not UTF-8; save the file as UTF-8`,
        },
      ],
    };
  }
  const text = bytes.toString('utf8');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // Overlong three- and four-byte forms, surrogates, and code points past U+10FFFF.
    const c1 = b[i + 1]!;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Indentation and flow nesting past the bounds, found by one pass over the
 * text (quoted strings and comments skipped), before any parser recurses.
 */
export function nestingProblems(text: string, file: string): Diagnostic[] {
  let line = 1;
  let col = 0;
  let depth = 0;
  let atLineStart = true;
  let indent = 0;
  let quote: '"' | "'" | null = null;
  let comment = false;
  // A quote opens a quoted scalar only where a node may start; in `O'Brien` it is a letter.
  let nodeMayStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      col = 0;
      atLineStart = true;
      indent = 0;
      comment = false;
      if (!quote) nodeMayStart = true;
      // A double-quoted string may run over lines; a single-quoted one too. Both end at their quote.
      continue;
    }
    col++;
    if (comment) continue;
    if (atLineStart) {
      if (ch === ' ') {
        if (++indent > MAX_INDENT) return [{ file, line, column: 1, path: '', message: `indented more than ${MAX_INDENT} columns: nested too deep` }];
        continue;
      }
      atLineStart = false;
    }
    if (quote) {
      if (ch === '\\' && quote === '"') {
        i++;
        col++;
      } else if (ch === quote) quote = null;
      continue;
    }
    if (ch === ' ' || ch === '\t') continue;
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if ((ch === '"' || ch === "'") && nodeMayStart) quote = ch;
    else if (ch === '[' || ch === '{') {
      if (++depth > MAX_FLOW_DEPTH)
        return [{ file, line, column: col, path: '', message: `more than ${MAX_FLOW_DEPTH} [ and { inside each other: nested too deep` }];
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
    nodeMayStart = ch === ':' || ch === '-' || ch === '[' || ch === '{' || ch === ',' || ch === '?';
  }
  return [];
}

/** Every string value longer than MAX_STRING_LENGTH, by its path in the document. */
export function longStrings(value: unknown): Array<{ path: Array<string | number>; length: number }> {
  const out: Array<{ path: Array<string | number>; length: number }> = [];
  const walk = (v: unknown, path: Array<string | number>) => {
    if (typeof v === 'string') {
      if (v.length > MAX_STRING_LENGTH) out.push({ path, length: v.length });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(x, [...path, i]);
      });
    } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  return out;
}
