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
  run(args: CommandArgs, env: LocalStorage & { io: CommandIO }): Promise<number>;
}
