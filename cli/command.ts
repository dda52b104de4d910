/**
 * The contract every `nms` subcommand meets: one file per command, a usage
 * text for --help, options parsed by node:util's parseArgs (which rejects
 * unknown flags), and run() returning the process exit code.
 */
import type { ParseArgsConfig } from 'node:util';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Command {
  summary: string;
  /** Full help: usage line, description and options. */
  usage: string;
  options: CommandOptions;
  /** How many positional arguments the command takes at most. */
  maxPositionals: number;
  run(args: ParsedArgs): Promise<number>;
}

/** Exit codes shared by all commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
