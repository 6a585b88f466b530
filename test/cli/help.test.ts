import { COMMANDS } from '../../cli/main';
import { cliProgram, type ParsedCommand } from '../../cli/program';
import { runCli } from '../helpers/cli';

/** `csp-pricing --help`, each command's help, and what a mistyped command line gets. */

describe('help', () => {
  it('lists every command with its summary and its first example, and says the exit codes', async () => {
    const { code, stdout, stderr } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: csp-pricing <command> \[options\]\n/);
    for (const command of COMMANDS) {
      expect(stdout).toMatch(new RegExp(`^  ${command.name} +\\S`, 'm'));
      expect(stdout).toContain(`$ csp-pricing ${command.examples[0].command}\n`);
    }
    expect(stdout).toMatch(/Exit codes: 0 success; 1 .*\n.*2 bad usage/);
    // `help <command>` is the same as `<command> --help`.
    expect((await runCli(['help', 'ingest'])).stdout).toBe((await runCli(['ingest', '--help'])).stdout);
  });

  it.each(COMMANDS.map((command) => [command.name, command]))(
    '%s --help: its forms, every option described, its examples',
    async (name, command) => {
      const { code, stdout } = await runCli([name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: csp-pricing ${name} `));
      expect(command.examples.length).toBeGreaterThan(0);
      for (const example of command.examples) {
        expect(example.command).toMatch(new RegExp(`^${name}( |$)`));
        expect(stdout).toContain(`  $ csp-pricing ${example.command}\n      ${example.says.slice(0, 30)}`);
      }
      for (const [option, spec] of Object.entries(command.options)) {
        expect(spec.description.length).toBeGreaterThan(10);
        expect(stdout).toMatch(new RegExp(`^  --${option}\\b.* ${spec.description.split(' ')[0]}`, 'm'));
      }
      for (const common of ['--json', '--quiet', '--verbose']) expect(stdout).toMatch(new RegExp(`^  ${common} `, 'm'));
    },
  );

  it('parses every example as its command, without a usage error', async () => {
    for (const command of COMMANDS)
      for (const example of command.examples) {
        const typed: ParsedCommand[] = [];
        await cliProgram(COMMANDS, (parsed) => typed.push(parsed)).parseAsync(example.command.split(' '), {
          from: 'user',
        });
        expect(typed.map((parsed) => parsed.command.name)).toEqual([command.name]);
      }
  });

  it('suggests the command meant by a typo, and exits 2', async () => {
    const { code, stdout, stderr } = await runCli(['refersh', 'prices']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("error: unknown command 'refersh'\n(Did you mean refresh?)\n");
  });

  it('suggests the option meant by a typo, and points at the command help', async () => {
    const { code, stderr } = await runCli(['refresh', 'prices', '--markte', 'US']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      "error: unknown option '--markte'\n(Did you mean --market?)\n" +
        '(csp-pricing refresh --help shows its options and examples)\n',
    );
    const missing = await runCli(['ingest', 'file.csv', '--as-of']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: option '--as-of <YYYY-MM-DD>' argument missing\n/);
  });

  it('exits 2 with the tool help on stderr without a command, and refuses --quiet with --verbose', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: csp-pricing <command>/);
    const both = await runCli(['validate', 'x.csv', '--quiet', '--verbose']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: option '--quiet' cannot be used with option '--verbose'\n/);
  });
});
