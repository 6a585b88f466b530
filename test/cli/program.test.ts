import type { CliCommand } from '../../cli/command';
import { cliProgram, type ParsedCommand } from '../../cli/program';
import { captured } from '../helpers/cli';

/**
 * How declared options (node:util parseArgs' shape) reach a command through commander: under their
 * declared names, with short names, repeated values and defaults. A command of this test's own.
 */
const echo: CliCommand = {
  name: 'echo',
  summary: 'prints nothing',
  usage: 'echo <words…> [--as-of YYYY-MM-DD] [-t tag]… [--level n]',
  options: {
    'as-of': { type: 'string', value: 'YYYY-MM-DD', description: 'a day' },
    tag: { type: 'string', short: 't', multiple: true, description: 'a tag, repeatable' },
    level: { type: 'string', default: '1', description: 'a level' },
    'dry-run': { type: 'boolean', description: 'change nothing' },
  },
  examples: [{ command: 'echo a b -t x', says: 'nothing' }],
  run: async () => 0,
};

async function parse(args: string[]): Promise<ParsedCommand['args']> {
  const typed: ParsedCommand[] = [];
  await cliProgram([echo], (parsed) => typed.push(parsed)).parseAsync(args, { from: 'user' });
  expect(typed).toHaveLength(1);
  return typed[0].args;
}

describe('cliProgram', () => {
  it('hands the command its operands and its options under their declared names', async () => {
    expect(await parse(['echo', 'a', '--as-of', '2026-11-01', 'b', '-t', 'x', '--tag', 'y', '--dry-run'])).toEqual({
      positionals: ['a', 'b'],
      values: { 'as-of': '2026-11-01', tag: ['x', 'y'], level: '1', 'dry-run': true },
    });
    expect(await parse(['echo', '--level', '3', '--json', '--quiet'])).toEqual({
      positionals: [],
      values: { level: '3', json: true, quiet: true },
    });
    // Every command's options, before the command's name as well.
    expect(await parse(['--json', 'echo', 'a', '--verbose'])).toEqual({
      positionals: ['a'],
      values: { level: '1', json: true, verbose: true },
    });
  });

  it('shows the short name and the placeholder in the help', async () => {
    const { stdout } = await captured(() =>
      cliProgram([echo], () => {})
        .parseAsync(['echo', '--help'], { from: 'user' })
        .catch(() => undefined),
    );
    expect(stdout).toMatch(/^ {2}-t, --tag <value> +a tag, repeatable$/m);
    expect(stdout).toMatch(/^ {2}--as-of <YYYY-MM-DD> +a day$/m);
    expect(stdout).toMatch(/^ {2}--level <value> +a level \(default: "1"\)$/m);
  });
});
