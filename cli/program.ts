import { Command, Option } from 'commander';
import type { CliCommand, CommandArgs, CommandExample, CommandOption } from './command';

/**
 * The command line, parsed by commander: generated help (with each command's examples), "did you
 * mean" for a mistyped command or option, and an error naming what is wrong. Commands keep declaring
 * their options as node:util parseArgs does (cli/command.ts); this is the one place that turns them
 * into commander's.
 */

export const TOOL = 'csp-pricing';

/** Every command's options: the output rules of cli/io.ts. */
const COMMON_OPTIONS: Record<string, CommandOption> = {
  json: { type: 'boolean', description: 'the summary as one JSON object, the last thing on stdout' },
  quiet: { type: 'boolean', description: 'errors and the summary only (no progress, no other log lines)' },
  verbose: { type: 'boolean', description: 'debug lines too' },
};

const EXIT_CODES = [
  'Exit codes: 0 success; 1 a run failed, a record is invalid, or (status) a market/view is stale or failing;',
  '            2 bad usage, or a file that is refused; 3 (status) storage unreachable.',
].join('\n');

/** The command line as typed: which command, and its options (by their declared names) and operands. */
export interface ParsedCommand {
  command: CliCommand;
  args: CommandArgs;
}

const exampleLines = (examples: CommandExample[]) =>
  examples.flatMap((example) => [`  $ ${TOOL} ${example.command}`, `      ${example.says}`]);

function toolHelp(commands: CliCommand[]): string {
  return [
    '',
    'Examples:',
    ...exampleLines(commands.map((command) => command.examples[0])),
    '',
    EXIT_CODES,
    `Every command takes --json, --quiet and --verbose; \`${TOOL} <command> --help\` shows its options and examples.`,
  ].join('\n');
}

/** A commander option for a declared one; `--name <value>` for strings, repeated into a list when `multiple`. */
function commanderOption(name: string, spec: CommandOption): Option {
  const flags = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
  const option = new Option(flags, spec.description);
  if (spec.multiple) option.argParser((value: string, previous: unknown) => [...((previous as string[]) ?? []), value]);
  if (spec.default !== undefined) option.default(spec.default);
  return option;
}

/**
 * The program; `parse` throws commander's CommanderError for help (exitCode 0) and for bad usage
 * (its message already printed on stderr). A command's action only records what was typed: main runs it.
 */
export function cliProgram(commands: CliCommand[], onCommand: (parsed: ParsedCommand) => void): Command {
  const program = new Command(TOOL)
    .description('Azure plan prices and exchange rates for CSP partners: refresh, ingest, inspect.')
    .usage('<command> [options]')
    .exitOverride()
    .showSuggestionAfterError()
    // The list names the commands; each one's forms are in its own --help.
    .configureHelp({ subcommandTerm: (sub) => sub.name() })
    .addHelpText('after', toolHelp(commands));
  // Every command's options, taken before or after the command's name (`--json status`, `status --json`).
  for (const [name, spec] of Object.entries(COMMON_OPTIONS)) {
    const option = commanderOption(name, spec);
    if (name === 'quiet') option.conflicts('verbose');
    program.addOption(option);
  }
  for (const command of commands) {
    const sub = program
      .command(command.name)
      .summary(command.summary)
      .description(command.summary)
      .argument('[operands...]')
      .showHelpAfterError(`(${TOOL} ${command.name} --help shows its options and examples)`)
      .configureHelp({
        showGlobalOptions: true,
        // The command's own forms: which options go with which operand says more than "[options]".
        commandUsage: () =>
          command.usage
            .split('\n')
            .map((form) => `${TOOL} ${form.trim()}`)
            .join('\n       '),
      })
      .addHelpText('after', ['', 'Examples:', ...exampleLines(command.examples)].join('\n'));
    /** Option names as declared (`as-of`), by commander's attribute names (`asOf`). */
    const declared = new Map<string, string>();
    for (const [name, spec] of Object.entries(command.options)) {
      const option = commanderOption(name, spec);
      declared.set(option.attributeName(), name);
      sub.addOption(option);
    }
    sub.action((operands: string[], options: Record<string, string | boolean | string[]>) => {
      const values: CommandArgs['values'] = { ...program.opts<Record<string, boolean>>() };
      for (const [attribute, value] of Object.entries(options)) values[declared.get(attribute) ?? attribute] = value;
      onCommand({ command, args: { values, positionals: operands } });
    });
  }
  return program;
}
