import { parseArgs } from 'node:util';
import { consoleIO } from './io';
import { UsageError } from './options';
import { openLocalStorage } from '../runtime/storage';
import type { CliCommand } from './command';
import { refreshCommand } from './commands/refresh';
import { ingestCommand } from './commands/ingest';
import { validateCommand } from './commands/validate';
import { subscriptionsCommand } from './commands/subscriptions';
import { backfillCommand } from './commands/backfill';

/** `npm run cli -- <command> …`: the same pipelines as the app, for operators and backfills. */
const COMMANDS: CliCommand[] = [refreshCommand, ingestCommand, backfillCommand, validateCommand, subscriptionsCommand];
/** The exit code of a command line that cannot be run as typed (the usual code for usage errors). */
const USAGE_EXIT_CODE = 2;

function usage(): string {
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    ...COMMANDS.map((command) => `  ${command.usage}`),
    '',
    'Every command takes --json (summary as JSON on stdout).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`${name ? `Unknown command "${name}".\n\n` : ''}${usage()}\n`);
    return USAGE_EXIT_CODE;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\nUsage: npm run cli -- ${command.usage}\n`);
    return USAGE_EXIT_CODE;
  }
  const io = consoleIO(Boolean(parsed.values.json));
  try {
    const openStorage = async () => {
      const local = await openLocalStorage(process.env, { detached: true });
      if (local.azurite?.process)
        io.log(
          'Started the embedded storage (Azurite, data in .azurite/); ' +
            'it keeps running for npm start and later commands.',
        );
      return local;
    };
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, { io, openStorage });
  } catch (e) {
    const error = e as Error;
    io.log(`Error: ${error.message}`);
    if (io.json) io.summary('', { ok: false, error: error.message });
    return e instanceof UsageError ? USAGE_EXIT_CODE : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
