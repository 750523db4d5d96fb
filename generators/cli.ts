/**
 * `npm run generate -- <generator> [options]` — entry point of the synthetic
 * data generators. Each generator lives in its own folder and contributes one
 * subcommand: `weblogs`, `news`, `ticks` (each with `--kafka` to publish to its topic).
 *
 * Exit codes: 0 on a normal stop (count/duration reached, SIGINT/SIGTERM, closed
 * stdout pipe), 1 on errors, 2 for invalid usage, 130 on a second SIGINT/SIGTERM.
 *
 * @module generators/cli
 */
import { Command, CommanderError } from 'commander';
import { weblogsCommand } from './weblogs/command.js';
import { newsCommand } from './news/command.js';
import { ticksCommand } from './ticks/command.js';

/** Builds the top-level `generate` program with all generator subcommands. */
function buildProgram(): Command {
  const program = new Command('generate')
    .description('Synthetic data generators. Run "generate <generator> --help" for the options of one generator.')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
  for (const sub of [weblogsCommand(), newsCommand(), ticksCommand()]) program.addCommand(sub.copyInheritedSettings(program));
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit with 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
