import { CommanderError, type Command } from 'commander';

/**
 * Parses `argv` with `program` (which must be set to `exitOverride()`), for CLIs whose `main` returns
 * an exit code. Returns `undefined` when the command should go on, or the exit code when commander has
 * already answered: 0 after `--help`/`--version`, 2 after a usage error (commander printed it).
 * @throws anything else parsing throws (an option's own parser failing unexpectedly).
 */
export function parseCommandLine(program: Command, argv: readonly string[]): number | undefined {
  try {
    program.parse(argv as string[]);
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
}
