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

/** A log line longer than this is cut: a device or a file can put any length in a message. */
export const MAX_LOG_MESSAGE = 2_000;

// C0 and C1 controls, DEL, and the Unicode marks that reorder or hide text on a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a log line must not carry raw
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A message as it may be written to a log: every control or invisible
 * character shown as \xNN or \u{NNNN}, so text from the network cannot
 * forge a line or drive a terminal, and cut to MAX_LOG_MESSAGE.
 */
export function logSafe(message: string): string {
  const cut = message.length > MAX_LOG_MESSAGE ? `${message.slice(0, MAX_LOG_MESSAGE)}… (${message.length - MAX_LOG_MESSAGE} more characters)` : message;
  return cut.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

export function consoleLogger(component = 'nms', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  // Escaped here, once, so no caller can forget: much of what is logged came from a device.
  const line = (level: string, message: string) => write(`${new Date().toISOString()} ${level} [${component}] ${logSafe(message)}`);
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
  return Object.assign(
    consoleLogger('test', (l) => lines.push(l)),
    { lines },
  );
}
