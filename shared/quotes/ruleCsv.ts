import { parse } from 'csv-parse/sync';
import { csvErrorText, csvLine } from '../formats/csv';
import { fieldPath } from '../api/errors';
import { RULE_ID, ruleBodySchema, ruleOf, type PriceRule } from './rule';

/**
 * Price rules as a CSV file (CLI `rules import` / `rules export`), one rule a line, in the columns
 * below (docs/data-model.md, "Price rules"). Import is all or nothing: every line is validated with
 * the same schema as PUT /api/price-rules/{id} and any problem, named by line and column, refuses the
 * whole file before anything is written.
 */

export const RULE_COLUMNS = [
  'id',
  'customer',
  'customerGroup',
  'market',
  'view',
  'productId',
  'skuId',
  'tag',
  'adjustment',
  'value',
  'currency',
  'decimals',
  'mode',
  'validFrom',
  'validTo',
  'description',
] as const;
type RuleColumn = (typeof RULE_COLUMNS)[number];

const SCOPE_COLUMNS = ['customer', 'customerGroup', 'market', 'view', 'productId', 'skuId', 'tag'] as const;

/** A rules file is a few thousand lines at most. */
export const MAX_RULE_FILE_BYTES = 10 * 1024 * 1024;

/** The column a schema path comes from. */
function columnOf(path: readonly PropertyKey[]): string {
  const [first, second] = path.map(String);
  if (first === 'scope') return second ?? 'customer';
  if (first === 'adjustment')
    return second === 'type' || second === undefined ? 'adjustment' : second === 'currency' ? 'currency' : 'value';
  if (first === 'rounding') return second ?? 'decimals';
  return fieldPath(path) || 'line';
}

/** A CSV record as the body PUT takes: empty cells are absent. */
function bodyOf(record: Record<RuleColumn, string>): unknown {
  const given = (column: RuleColumn) => (record[column] === '' ? undefined : record[column]);
  const scope = Object.fromEntries(
    SCOPE_COLUMNS.flatMap((column) => (given(column) === undefined ? [] : [[column, record[column]]])),
  );
  const type = given('adjustment');
  const adjustment =
    type === 'fixedPerUnit'
      ? { type, amount: given('value'), currency: given('currency') }
      : { type, percent: given('value') };
  const decimals = given('decimals');
  return {
    scope,
    adjustment,
    rounding: {
      ...(decimals === undefined ? {} : { decimals: /^\d+$/.test(decimals) ? Number(decimals) : decimals }),
      ...(given('mode') === undefined ? {} : { mode: given('mode') }),
    },
    validFrom: given('validFrom'),
    validTo: given('validTo') ?? null,
    ...(given('description') === undefined ? {} : { description: given('description') }),
  };
}

export type RulesFileResult = { ok: true; rules: PriceRule[] } | { ok: false; errors: string[] };

/** Every rule of a rules file, or every problem in it (`line N, column: message`). */
export function readRulesCsv(text: string): RulesFileResult {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (e) {
    return { ok: false, errors: [csvErrorText(e) ?? 'the CSV cannot be parsed'] };
  }
  const [header, ...lines] = records;
  if (!header) return { ok: false, errors: ['the file is empty: expected a header line'] };
  const unknown = header.filter((name) => !(RULE_COLUMNS as readonly string[]).includes(name));
  const missing = (['id', 'adjustment', 'value', 'validFrom'] as const).filter((name) => !header.includes(name));
  if (unknown.length > 0 || missing.length > 0)
    return {
      ok: false,
      errors: [
        ...unknown.map((name) => `line 1: unknown column ${name} (columns: ${RULE_COLUMNS.join(', ')})`),
        ...missing.map((name) => `line 1: missing column ${name}`),
      ],
    };
  const errors: string[] = [];
  const rules: PriceRule[] = [];
  const seen = new Map<string, number>();
  lines.forEach((cells, index) => {
    const line = index + 2;
    const record = Object.fromEntries(
      RULE_COLUMNS.map((column) => [column, cells[header.indexOf(column)]?.trim() ?? '']),
    ) as Record<RuleColumn, string>;
    if (!RULE_ID.test(record.id)) {
      errors.push(
        `line ${line}, id: 1–64 letters, digits, dots, hyphens or underscores, starting with a letter or digit`,
      );
      return;
    }
    const earlier = seen.get(record.id);
    if (earlier !== undefined) errors.push(`line ${line}, id: ${record.id} is also on line ${earlier}`);
    seen.set(record.id, line);
    const parsed = ruleBodySchema.safeParse(bodyOf(record));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`line ${line}, ${columnOf(issue.path)}: ${issue.message}`);
      return;
    }
    rules.push(ruleOf(record.id, parsed.data));
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules };
}

/** Rules as a rules file (the same columns import reads). */
export function rulesCsv(rules: readonly PriceRule[]): string {
  const lines = rules.map((rule) => {
    const { adjustment } = rule;
    const record: Record<RuleColumn, string> = {
      id: rule.id,
      customer: rule.scope.customer ?? '',
      customerGroup: rule.scope.customerGroup ?? '',
      market: rule.scope.market ?? '',
      view: rule.scope.view ?? '',
      productId: rule.scope.productId ?? '',
      skuId: rule.scope.skuId ?? '',
      tag: rule.scope.tag ?? '',
      adjustment: adjustment.type,
      value: adjustment.type === 'fixedPerUnit' ? adjustment.amount : adjustment.percent,
      currency: rule.currency ?? '',
      decimals: rule.rounding.decimals === undefined ? '' : String(rule.rounding.decimals),
      mode: rule.rounding.mode,
      validFrom: rule.validFrom,
      validTo: rule.validTo ?? '',
      description: rule.description ?? '',
    };
    return csvLine(RULE_COLUMNS.map((column) => record[column]));
  });
  return csvLine(RULE_COLUMNS) + lines.join('');
}
