/** A bench's numeric option, `--name N`, or its default when not given. @throws Error for a value that is not a number. */
export function numberArg(name: string, fallback: number, argv: readonly string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${JSON.stringify(argv[i + 1] ?? null)}`);
  return v;
}
