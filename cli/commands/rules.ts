import fs from 'node:fs';
import type { CliCommand } from '../command';
import { UsageError } from '../options';

/**
 * `rules import <file.csv>`: validates every line first and writes nothing unless all are valid
 * (exit 2 with each problem by line and column); then stores each rule (an upsert by id: running it
 * again after an interruption completes it). `rules export [--out FILE]`: every rule as the same CSV.
 */
export const rulesCommand: CliCommand = {
  name: 'rules',
  summary: 'price rules from or to a CSV file (import validates every line first and writes nothing if one is invalid)',
  usage: 'rules import <rules.csv> [--json]\nrules export [--out FILE] [--json]',
  options: {
    out: { type: 'string', value: 'FILE', description: 'export: write the CSV to this file (default: stdout)' },
  },
  examples: [
    { command: 'rules export --out rules.csv', says: 'writes every stored price rule to rules.csv' },
    {
      command: 'rules import rules.csv',
      says: 'stores the rules of rules.csv, or lists its problems by line and column',
    },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    const [action, file, ...rest] = positionals;
    const { MAX_RULE_FILE_BYTES, readRulesCsv, rulesCsv } = await import('../../shared/quotes/ruleCsv');
    const { listRules, putRule } = await import('../../shared/quotes/ruleStore');
    if (action === 'import') {
      if (!file || rest.length > 0 || values.out !== undefined)
        throw new UsageError(`Usage: csp-pricing ${rulesCommand.usage.replace('\n', ' | ')}`);
      const size = await fs.promises.stat(file).then(
        (stat) => stat.size,
        () => {
          throw new UsageError(`cannot read ${file}`);
        },
      );
      if (size > MAX_RULE_FILE_BYTES) throw new UsageError(`${file} is larger than ${MAX_RULE_FILE_BYTES} bytes`);
      const result = readRulesCsv(await fs.promises.readFile(file, 'utf8'));
      if (!result.ok) {
        for (const error of result.errors) io.log(`${file}: ${error}`, 'error');
        io.summary(`rules import ${file}: refused, nothing written (${result.errors.length} problems)`, {
          ok: false,
          file,
          written: 0,
          errors: result.errors,
        });
        return 2;
      }
      const { storage } = await openStorage();
      for (const rule of result.rules) await putRule(storage, rule);
      io.summary(`rules import ${file}: ${result.rules.length} rules written`, {
        ok: true,
        file,
        written: result.rules.length,
      });
      return 0;
    }
    if (action === 'export') {
      if (file !== undefined) throw new UsageError(`Usage: csp-pricing ${rulesCommand.usage.replace('\n', ' | ')}`);
      const { storage } = await openStorage();
      const rules = await listRules(storage);
      const out = typeof values.out === 'string' ? values.out : undefined;
      if (out) await fs.promises.writeFile(out, rulesCsv(rules));
      else process.stdout.write(rulesCsv(rules));
      io.summary(`rules export: ${rules.length} rules${out ? ` to ${out}` : ''}`, {
        ok: true,
        rules: rules.length,
        out: out ?? null,
      });
      return 0;
    }
    throw new UsageError(`Usage: csp-pricing ${rulesCommand.usage.replace('\n', ' | ')}`);
  },
};
