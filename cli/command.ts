import type { ParseArgsConfig } from 'node:util';
import type { CommandIO } from './io';
import type { LocalStorage } from '../runtime/storage';

export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** An option as node:util parseArgs declares it (type, short, multiple, default), with its help. */
export type CommandOption = NonNullable<ParseArgsConfig['options']>[string] & {
  /** What `--help` says of it. */
  description: string;
  /** The value's placeholder in `--help` (string options), e.g. `YYYY-MM-DD`; `value` when not given. */
  value?: string;
};

/** A command line that works (on a fresh clone, with the sample data) and what it does. */
export interface CommandExample {
  /** The arguments after the tool's name, e.g. `refresh rates --json`. */
  command: string;
  says: string;
}

/**
 * One CLI command. Its module is loaded for `--help` and every other command too: it imports at
 * top level only types and light modules (cli/*, pure shared modules), and loads what reaches the
 * Azure SDKs (storage, pipelines, sources) inside run() with `await import(…)`; test/cli/bin.test.ts
 * fails when `--help` loads an @azure package.
 */
export interface CliCommand {
  name: string;
  /** One line in the tool's list of commands. */
  summary: string;
  /** The forms of the command after the tool's name, one per line, e.g. `ingest <file> [--market CC]`. */
  usage: string;
  /** Its options; --json, --quiet and --verbose are every command's (cli/program.ts). */
  options: Record<string, CommandOption>;
  /** At least one; the first also appears in the tool's `--help`. */
  examples: CommandExample[];
  /** Returns the exit code: 0 on success, non-zero on failure. */
  run(args: CommandArgs, env: CommandEnv): Promise<number>;
}

export interface CommandEnv {
  io: CommandIO;
  /** The app's settings and storage (starting the embedded storage if needed): only commands that use storage call it. */
  openStorage: () => Promise<LocalStorage>;
}
