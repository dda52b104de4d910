/**
 * The product's logger: one line per event, to stderr, with a component name.
 * Injected everywhere, so tests can capture what was logged (and prove that no
 * secret was).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(component: string): Logger;
}

export function consoleLogger(component = 'nms', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const line = (level: string, message: string) => write(`${new Date().toISOString()} ${level} [${component}] ${message}`);
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
    child: (c) => consoleLogger(`${component}/${c}`, write),
  };
}

/** Collects log lines in memory; for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(consoleLogger('test', (l) => lines.push(l)), { lines });
}
