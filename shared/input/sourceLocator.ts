/**
 * Finds where a YAML path lives in the source text, so every problem can be
 * reported as file:line:column. When the path does not exist (a missing key),
 * it points at the deepest part that does.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.ts';

export type YamlPath = readonly PropertyKey[];

export class SourceLocator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * A diagnostic for `path`. With `atKey`, it points at the key of the last
   * path element (for unknown or duplicate keys) rather than at its value.
   */
  diagnostic(path: YamlPath, message: string, options: { atKey?: boolean } = {}): Diagnostic {
    const offset = this.offsetOf(path, options.atKey ?? false);
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, path: formatPath(path), message };
  }

  /** Line number of a path's value, for messages such as "first defined at line N". */
  lineOf(path: YamlPath): number {
    return this.lines.linePos(this.offsetOf(path, false)).line;
  }

  private offsetOf(path: YamlPath, atKey: boolean): number {
    let node: Node | null = (this.doc.contents as Node | null) ?? null;
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
