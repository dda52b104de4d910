/**
 * Finds where a YAML path lives in the source text, so every problem can be
 * reported as file:line:column. When the path does not exist (a missing key),
 * it points at the deepest part that does.
 *
 * It needs the `yaml` library's full document, which for a province-sized
 * file costs seconds and a gigabyte: so it parses only when a problem must be
 * placed, unless the caller already has the document.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.ts';

export type YamlPath = readonly PropertyKey[];

export interface ParsedSource {
  doc: Document;
  lines: LineCounter;
}

/** The precise parse: every node with its source range. */
export function parseWithPositions(text: string): ParsedSource {
  const lines = new LineCounter();
  // prettyErrors would quote the offending source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, lines };
}

export class SourceLocator {
  #parsed: ParsedSource | null;

  constructor(
    private readonly file: string,
    source: string | ParsedSource,
  ) {
    this.#text = typeof source === 'string' ? source : null;
    this.#parsed = typeof source === 'string' ? null : source;
  }

  readonly #text: string | null;

  private get parsed(): ParsedSource {
    return (this.#parsed ??= parseWithPositions(this.#text!));
  }

  /**
   * A diagnostic for `path`. With `atKey`, it points at the key of the last
   * path element (for unknown or duplicate keys) rather than at its value.
   */
  diagnostic(path: YamlPath, message: string, options: { atKey?: boolean } = {}): Diagnostic {
    const offset = this.offsetOf(path, options.atKey ?? false);
    const { line, col } = this.parsed.lines.linePos(offset);
    return { file: this.file, line, column: col, path: formatPath(path), message };
  }

  /** Line number of a path's value, for messages such as "first defined at line N". */
  lineOf(path: YamlPath): number {
    return this.parsed.lines.linePos(this.offsetOf(path, false)).line;
  }

  private offsetOf(path: YamlPath, atKey: boolean): number {
    let node: Node | null = (this.parsed.doc.contents as Node | null) ?? null;
    let offset = node?.range?.[0] ?? 0;
    for (let i = 0; i < path.length && node; i++) {
      const part = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) break;
        const keyNode = pair.key as Node;
        const valueNode = (pair.value as Node | null) ?? null;
        if ((last && atKey) || !valueNode?.range) {
          offset = keyNode.range?.[0] ?? offset;
          node = valueNode;
          if (last && atKey) break;
          continue;
        }
        node = valueNode;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = (node.items[part] as Node | undefined) ?? null;
        if (!item) break;
        node = item;
      } else {
        break;
      }
      offset = node?.range?.[0] ?? offset;
    }
    return offset;
  }
}
