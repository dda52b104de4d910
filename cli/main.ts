/**
 * `nms`: the one command-line handle on the product. Dispatches to a
 * subcommand and turns every error into a clear message and an exit code;
 * a person running nms never sees a stack trace.
 */
import { parseArgs } from 'node:util';
import { EXIT, type Command, type ParsedArgs } from './command.ts';
import { InputFileError } from '../shared/input/diagnostics.ts';
import { backfillCommand } from './commands/backfill.ts';
import { faultCommand } from './commands/fault.ts';
import { pollCommand } from './commands/poll.ts';
import { reloadCommand } from './commands/reload.ts';
import { reportCommand } from './commands/report.ts';
import { schemaCommand } from './commands/schema.ts';
import { simCommand } from './commands/sim.ts';
import { topologyCommand } from './commands/topology.ts';
import { upCommand } from './commands/up.ts';
import { userCommand } from './commands/user.ts';
import { validateCommand } from './commands/validate.ts';

const COMMANDS = {
  up: upCommand,
  reload: reloadCommand,
  validate: validateCommand,
  topology: topologyCommand,
  sim: simCommand,
  fault: faultCommand,
  poll: pollCommand,
  schema: schemaCommand,
  backfill: backfillCommand,
  report: reportCommand,
  user: userCommand,
} satisfies Record<string, Command>;

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'nms: network-operations console for e-government WANs',
    '',
    'Usage: nms <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "nms <command> --help" for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command: Command | undefined = (COMMANDS as Record<string, Command>)[name];
  if (!command) {
    console.error(`nms: unknown command "${name}"\n\n${overview()}`);
    return EXIT.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    console.error(`nms ${name}: ${(err as Error).message}\n\n${command.usage}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    console.log(command.usage);
    return EXIT.ok;
  }
  if (parsed.positionals.length > command.maxPositionals) {
    console.error(`nms ${name}: unexpected argument "${parsed.positionals[command.maxPositionals]}"\n\n${command.usage}`);
    return EXIT.usage;
  }
  try {
    return await command.run(parsed as ParsedArgs);
  } catch (err) {
    console.error(describeError(name, err));
    return EXIT.failed;
  }
}

/**
 * One readable message. By the project's convention an error's message already
 * carries its context and the gist of its cause, so the cause chain and the
 * stack are shown only with NMS_DEBUG=1.
 */
export function describeError(commandName: string, err: unknown): string {
  if (process.env.NMS_DEBUG === '1' && err instanceof Error && err.stack) return err.stack;
  if (err instanceof InputFileError) return err.message;
  return `nms ${commandName}: ${err instanceof Error ? err.message : String(err)}`;
}
