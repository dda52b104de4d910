/**
 * A problem found in an input file, located the way editors and compilers do
 * (file:line:column) and by its YAML path, so a person can jump straight to it.
 */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `circuits[4].a.device`; empty for the document root. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path ? `${d.path}: ` : '';
  return `${d.file}:${d.line}:${d.column}: ${where}${d.message}`;
}

/** Thrown when a file has one or more problems; carries all of them, in file order. */
export class InputFileError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(file: string, diagnostics: Diagnostic[]) {
    const sorted = [...diagnostics].sort((x, y) => x.line - y.line || x.column - y.column);
    const noun = sorted.length === 1 ? 'problem' : 'problems';
    super(`${file}: ${sorted.length} ${noun}\n${sorted.map(formatDiagnostic).join('\n')}`);
    this.name = 'InputFileError';
    this.diagnostics = sorted;
  }
}

/** Renders a path of keys and indexes as `a.b[3].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
