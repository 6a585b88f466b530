#!/usr/bin/env -S node --max-old-space-size=160
import { getHeapStatistics } from 'node:v8';
import { CommanderError } from 'commander';
import { consoleIO } from './io';
import { UsageError } from './options';
import { cliProgram, type ParsedCommand } from './program';
import type { CliCommand } from './command';
import { refreshCommand } from './commands/refresh';
import { ingestCommand } from './commands/ingest';
import { validateCommand } from './commands/validate';
import { subscriptionsCommand } from './commands/subscriptions';
import { backfillCommand } from './commands/backfill';
import { rulesCommand } from './commands/rules';
import { exportCommand } from './commands/export';
import { runsCommand } from './commands/runs';
import { statusCommand } from './commands/status';

/**
 * `csp-pricing <command> …` (the package's bin; `npm run cli -- …` builds first): the same pipelines
 * as the app, for operators and backfills. One line per command; cli/command.ts says what a command provides.
 */
export const COMMANDS: CliCommand[] = [
  refreshCommand,
  ingestCommand,
  backfillCommand,
  validateCommand,
  rulesCommand,
  exportCommand,
  runsCommand,
  statusCommand,
  subscriptionsCommand,
];
/** The exit code of a command line that cannot be run as typed (the usual code for usage errors). */
const USAGE_EXIT_CODE = 2;

export async function main(argv: string[]): Promise<number> {
  let parsed: ParsedCommand | undefined;
  try {
    await cliProgram(COMMANDS, (typed) => (parsed = typed)).parseAsync(argv, { from: 'user' });
  } catch (e) {
    // Help asked for (0), or bad usage, which commander has already explained on stderr.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    throw e;
  }
  if (!parsed) return USAGE_EXIT_CODE;
  const { command, args } = parsed;
  const { json, quiet, verbose } = args.values;
  const io = consoleIO(json === true, quiet === true ? 'quiet' : verbose === true ? 'verbose' : 'normal');
  // The bin's shebang sets the heap limit of docs/design.md (Heap limit); a plain `node` call does not.
  const heapMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  io.log(`Node ${process.version}, heap limit ${heapMb} MB`, 'debug');
  try {
    const openStorage = async () => {
      // Loaded here, not above: the storage SDKs take longer to load than --help may.
      const { openLocalStorage } = await import('../runtime/storage');
      const local = await openLocalStorage(process.env, { detached: true });
      if (local.azurite?.process)
        io.log(
          'Started the embedded storage (Azurite, data in .azurite/); ' +
            'it keeps running for npm start and later commands.',
        );
      // The origin only: a SAS connection string puts its token in the URL's query.
      const { origin } = new URL(local.storage.tableService.url);
      io.log(
        `Storage: tables at ${origin} (${local.storage.mode}), names prefixed "${local.settings.STORAGE_NAME_PREFIX}"`,
        'debug',
      );
      return local;
    };
    return await command.run(args, { io, openStorage });
  } catch (e) {
    const error = e as Error;
    io.log(`Error: ${error.message}`, 'error');
    if (io.json) io.summary('', { ok: false, error: error.message });
    return e instanceof UsageError ? USAGE_EXIT_CODE : 1;
  }
}

if (require.main === module) {
  // Output piped into a reader that stops early (`| head`) ends the command, not with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
