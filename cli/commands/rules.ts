import fs from 'node:fs';
import type { CliCommand } from '../command';
import { UsageError } from '../options';
import { MAX_RULE_FILE_BYTES, readRulesCsv, rulesCsv } from '../../shared/quotes/ruleCsv';
import { listRules, putRule } from '../../shared/quotes/ruleStore';

/**
 * `rules import <file.csv>`: validates every line first and writes nothing unless all are valid
 * (exit 2 with each problem by line and column); then stores each rule (an upsert by id: running it
 * again after an interruption completes it). `rules export [--out FILE]`: every rule as the same CSV.
 */
export const rulesCommand: CliCommand = {
  name: 'rules',
  usage: 'rules import <rules.csv> | rules export [--out FILE] [--json]   price rules from/to a CSV file',
  options: { out: { type: 'string' } },
  async run({ values, positionals }, { io, openStorage }) {
    const [action, file, ...rest] = positionals;
    if (action === 'import') {
      if (!file || rest.length > 0 || values.out !== undefined)
        throw new UsageError(`Usage: npm run cli -- ${rulesCommand.usage}`);
      const size = await fs.promises.stat(file).then(
        (stat) => stat.size,
        () => {
          throw new UsageError(`cannot read ${file}`);
        },
      );
      if (size > MAX_RULE_FILE_BYTES) throw new UsageError(`${file} is larger than ${MAX_RULE_FILE_BYTES} bytes`);
      const result = readRulesCsv(await fs.promises.readFile(file, 'utf8'));
      if (!result.ok) {
        for (const error of result.errors) io.log(`${file}: ${error}`);
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
      if (file !== undefined) throw new UsageError(`Usage: npm run cli -- ${rulesCommand.usage}`);
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
    throw new UsageError(`Usage: npm run cli -- ${rulesCommand.usage}`);
  },
};
