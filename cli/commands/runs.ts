import { parseDay } from '../../shared/core/dates';
import { priceViewSchema } from '../../shared/prices/views';
import type { RunFilter, RunRecord } from '../../shared/runs/ledger';
import type { CliCommand, CommandArgs } from '../command';
import { marketsOption, UsageError } from '../options';
import { readOnlyStorage } from '../readOnlyStorage';
import { formatTable, shortText, type Column } from '../table';

/**
 * `runs`: the run ledger (refreshes, ingests, uploads and upload attempts, backfills), newest first,
 * filtered in the query. Shows what the ledger holds, which is free of secrets (redacted when
 * written) and of personal data (errors name problems, not values).
 */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'the run ledger, newest first: refreshes, ingests, uploads, backfills and their outcomes',
  usage:
    'runs [--market US,DE] [--view azure_consumption,fxrates] [--outcome succeeded|failed] ' +
    '[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N] [--json]',
  options: {
    market: { type: 'string', value: 'US,DE', description: 'only these markets (exchange-rate runs: --view fxrates)' },
    view: {
      type: 'string',
      value: 'view,…',
      description: `only these views: ${priceViewSchema.options.join(', ')} or fxrates (exchange rates)`,
    },
    outcome: { type: 'string', value: 'succeeded|failed', description: 'only runs with this outcome' },
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'only runs started on or after this day (UTC)' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'only runs started on or before this day (UTC)' },
    limit: { type: 'string', value: 'N', description: `at most N runs, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})` },
  },
  examples: [
    { command: 'runs', says: 'the last 20 runs of any kind' },
    { command: 'runs --outcome failed --from 2026-11-01', says: 'every failure since 1 November (UTC)' },
    {
      command: 'runs --market US --view azure_consumption --limit 5 --json',
      says: 'the last 5 US consumption runs as JSON',
    },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    if (positionals.length > 0) throw new UsageError(`runs takes no operands; got "${positionals.join(' ')}"`);
    const filter = runFilter(values);
    const { RATES_RUN } = await import('../../shared/rates/ingest');
    const known = [...priceViewSchema.options, RATES_RUN.view] as string[];
    const unknown = filter.view?.filter((view) => !known.includes(view)) ?? [];
    if (unknown.length > 0) throw new UsageError(`--view takes ${known.join(', ')}; got "${unknown.join(',')}"`);
    const storage = await readOnlyStorage(await openStorage());
    const { findRuns } = await import('../../shared/runs/ledger');
    const runs = await findRuns(storage, filter);
    const more = runs.length === filter.limit ? ` (the newest ${filter.limit}; --limit for more)` : '';
    const table = runs.length > 0 ? formatTable(COLUMNS, runs) : [];
    io.summary([...table, `${runs.length} runs${more}`].join('\n'), { ok: true, count: runs.length, filter, runs });
    return 0;
  },
};

function runFilter(values: CommandArgs['values']): RunFilter {
  const text = (name: string) => (values[name] === undefined ? undefined : String(values[name]));
  const day = (name: 'from' | 'to') => {
    const given = text(name);
    if (given === undefined) return undefined;
    const parsed = parseDay(given);
    if (!parsed) throw new UsageError(`--${name} must be a date YYYY-MM-DD, got "${given}"`);
    return parsed;
  };
  const outcome = text('outcome');
  if (outcome !== undefined && outcome !== 'succeeded' && outcome !== 'failed')
    throw new UsageError(`--outcome is succeeded or failed, got "${outcome}"`);
  const limitText = text('limit') ?? String(DEFAULT_LIMIT);
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT)
    throw new UsageError(`--limit takes a whole number from 1 to ${MAX_LIMIT}, got "${limitText}"`);
  const [from, to] = [day('from'), day('to')];
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const views = text('view')
    ?.split(',')
    .map((view) => view.trim())
    .filter(Boolean);
  if (views && views.length === 0) throw new UsageError('--view takes one or more views, comma-separated');
  return {
    market: marketsOption(values.market),
    view: views,
    outcome,
    from,
    to,
    limit,
  };
}

const COLUMNS: Column<RunRecord>[] = [
  // Seconds are enough to tell runs apart; the ledger keeps the full instant (--json).
  { title: 'STARTED (UTC)', value: (run) => run.startedAt.slice(0, 19).replace('T', ' ') },
  { title: 'KIND', value: (run) => run.kind },
  { title: 'MARKET', value: (run) => run.market || '-' },
  { title: 'VIEW', value: (run) => (run.view ? `${run.view}${run.timeline === 'future' ? ' (future)' : ''}` : '-') },
  { title: 'AS OF', value: (run) => run.asOf || '-' },
  { title: 'OUTCOME', value: (run) => run.outcome },
  { title: 'READ', value: (run) => String(run.counts.read), right: true },
  { title: 'ADD', value: (run) => String(run.counts.added), right: true },
  { title: 'CHG', value: (run) => String(run.counts.changed), right: true },
  { title: 'DEL', value: (run) => String(run.counts.removed), right: true },
  { title: 'SECONDS', value: (run) => (run.durationMs / 1000).toFixed(1), right: true },
  { title: 'SOURCE', value: (run) => shortText(run.source, 40) },
  { title: 'ERROR OR NOTE', value: (run) => shortText(run.error ?? run.note ?? '', 80) },
];
