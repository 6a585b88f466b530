import type { ParseArgsConfig } from 'node:util';
import type { CommandIO } from './io';
import type { LocalStorage } from '../runtime/storage';

export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface CliCommand {
  name: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code: 0 on success, non-zero on failure. */
  run(args: CommandArgs, env: CommandEnv): Promise<number>;
}

export interface CommandEnv {
  io: CommandIO;
  /** The app's settings and storage (starting the embedded storage if needed): only commands that use storage call it. */
  openStorage: () => Promise<LocalStorage>;
}
