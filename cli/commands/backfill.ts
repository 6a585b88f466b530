import { DateTime } from 'luxon';
import type { Settings } from '../../shared/config/settings';
import { createLogger } from '../../shared/observability/logger';
import type { PriceView } from '../../shared/prices';
import type { PriceSheetSource } from '../../shared/prices/sources/source';
import type { FxRatesSource } from '../../shared/rates/sources/source';
import type { PipelineRun } from '../../shared/runs/recordedRun';
import type { StorageClients } from '../../shared/storage/clients';
import type { CliCommand, CommandArgs } from '../command';
import { logSinkOf, type CommandIO, type LogLevel } from '../io';
import { TOOL } from '../program';
import { marketsOption, UsageError, viewsOption } from '../options';

/**
 * `backfill prices` / `backfill rates`: each month of a range from Partner Center's history (the
 * price list in force on the month's first day, the month's FX file), stored as of that first day
 * through the one pipeline. A month whose snapshot of that day is committed is skipped, so a
 * run stopped half-way is resumed by running it again, and a re-run writes nothing.
 */
export const backfillCommand: CliCommand = {
  name: 'backfill',
  summary: "each month of a range from Partner Center's history, stored as of its first day (resumable)",
  usage:
    'backfill prices [--market US,DE] [--view azure_consumption,azure_reservations] ' +
    '--from YYYY-MM --to YYYY-MM [--source partnercenter] [--json]\n' +
    '  backfill rates --from YYYY-MM --to YYYY-MM [--source partnercenter] [--json]',
  options: {
    market: {
      type: 'string',
      value: 'US,DE',
      description: 'prices: markets, comma-separated (default PRICES_MARKETS)',
    },
    view: { type: 'string', value: 'view,…', description: 'prices: views, comma-separated (default PRICES_VIEWS)' },
    source: { type: 'string', value: 'partnercenter', description: 'partnercenter, the only source with a history' },
    from: { type: 'string', value: 'YYYY-MM', description: 'the first month' },
    to: { type: 'string', value: 'YYYY-MM', description: 'the last month (not after this month, UTC)' },
  },
  examples: [
    {
      command: 'backfill prices --market US --view azure_consumption --from 2026-01 --to 2026-06',
      says: 'six months of US consumption prices from Partner Center (needs its credentials)',
    },
    { command: 'backfill rates --from 2026-01 --to 2026-06 --json', says: 'the FX files of those months' },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    const [subject] = positionals;
    if ((subject !== 'prices' && subject !== 'rates') || positionals.length > 1)
      throw new UsageError(`backfill what? Usage: ${TOOL} ${backfillCommand.usage}`);
    if (subject === 'rates')
      for (const option of ['market', 'view'])
        if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to backfill rates`);
    const months = monthsOption(values.from, values.to);
    sourceOption(values.source);
    const markets = marketsOption(values.market);
    const views = viewsOption(values.view);
    const { settings, storage } = await openStorage();
    const started = Date.now();
    const results =
      subject === 'rates'
        ? await backfillRates(months, settings, storage, io)
        : await backfillPrices(
            { months, markets: markets ?? settings.PRICES_MARKETS, views: views ?? settings.PRICES_VIEWS },
            settings,
            storage,
            io,
          );
    return report(io, `${subject} ${months[0]}..${months[months.length - 1]}`, results, Date.now() - started);
  },
};

/** What one month (of one market and view, for prices) came to. */
interface MonthResult {
  month: string;
  market?: string;
  view?: string;
  asOf: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  added: number;
  changed: number;
  removed: number;
  runId: string | null;
  error: string | null;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Every month from --from to --to (YYYY-MM), oldest first; none after the current UTC month. */
function monthsOption(from: CommandArgs['values'][string], to: CommandArgs['values'][string]): string[] {
  const first = monthOf('--from', from);
  const last = monthOf('--to', to);
  if (first > last) throw new UsageError(`--from ${first} is after --to ${last}`);
  const thisMonth = DateTime.utc().toFormat('yyyy-MM');
  if (last > thisMonth) throw new UsageError(`--to ${last} is in the future (this month is ${thisMonth}, UTC)`);
  const months: string[] = [];
  for (let month = DateTime.fromISO(`${first}-01`, { zone: 'utc' }); month.toFormat('yyyy-MM') <= last;) {
    months.push(month.toFormat('yyyy-MM'));
    month = month.plus({ months: 1 });
  }
  return months;
}

function monthOf(option: string, value: CommandArgs['values'][string]): string {
  if (value === undefined) throw new UsageError(`${option} is required: a month YYYY-MM`);
  if (typeof value !== 'string' || !MONTH.test(value))
    throw new UsageError(`${option} must be a month YYYY-MM, got "${String(value)}"`);
  return value;
}

/** Only Partner Center serves a past month's list; the others would store today's under every month. */
function sourceOption(value: CommandArgs['values'][string]): void {
  if (value === undefined || value === 'partnercenter') return;
  throw new UsageError(
    `--source ${String(value)}: only partnercenter can backfill, from its history of each month ` +
      '(for a file of a past day use ingest, for another source refresh --as-of)',
  );
}

const firstDay = (month: string) => `${month}-01`;
type Where = { market?: string; view?: string };

const resultOf = (month: string, where: Where, run: PipelineRun): MonthResult => ({
  month,
  ...where,
  asOf: run.asOf,
  outcome: run.outcome,
  added: run.counts.added,
  changed: run.counts.changed,
  removed: run.counts.removed,
  runId: run.runId,
  error: run.error,
});

async function backfillPrices(
  { months, markets, views }: { months: string[]; markets: readonly string[]; views: readonly PriceView[] },
  settings: Settings,
  storage: StorageClients,
  io: CommandIO,
): Promise<MonthResult[]> {
  const { createPartnerCenterSource } = await import('../../shared/prices/sources/partnerCenter');
  const source = createPartnerCenterSource(settings);
  const results: MonthResult[] = [];
  const total = months.length * markets.length * views.length;
  // Oldest first, as a reader expects; the pipeline does not depend on the order.
  for (const month of months)
    for (const market of markets)
      for (const view of views) {
        const result = await backfillPriceMonth(month, market, view, settings, storage, source, io);
        results.push(result);
        io.log(progressLine(results.length, total, `${month} ${market}/${view}`, result), levelOf(result));
      }
  return results;
}

async function backfillPriceMonth(
  month: string,
  market: string,
  view: PriceView,
  settings: Settings,
  storage: StorageClients,
  source: PriceSheetSource,
  io: CommandIO,
): Promise<MonthResult> {
  const { ingestPriceSheet, snapshotOnOrBefore } = await import('../../shared/prices');
  const asOf = firstDay(month);
  // A history month is the current list as of its first day: stored, and found, as such.
  const timeline = 'current';
  const committed = await snapshotOnOrBefore(storage, { market, view, timeline, asOf }).catch(notYet);
  if (committed?.asOf === asOf) return skipped(month, asOf, { market, view });
  const request = { market, view, timeline, month: month.replace('-', '') } as const;
  const run = await ingestPriceSheet({
    storage,
    settings,
    logger: createLogger(logSinkOf(io)),
    open: () => source.fetchPriceSheet(request),
    // Not a refresh: the health endpoint's freshness counts only the daily refreshes.
    kind: 'ingest',
    source: source.name,
    market,
    view,
    timeline,
    asOf,
  });
  return resultOf(month, { market, view }, run);
}

async function backfillRates(
  months: string[],
  settings: Settings,
  storage: StorageClients,
  io: CommandIO,
): Promise<MonthResult[]> {
  const { createPartnerCenterFxSource } = await import('../../shared/rates/sources/partnerCenter');
  const source = createPartnerCenterFxSource(settings);
  const results: MonthResult[] = [];
  for (const month of months) {
    const result = await backfillRateMonth(month, settings, storage, source, io);
    results.push(result);
    io.log(progressLine(results.length, months.length, `${month} rates`, result), levelOf(result));
  }
  return results;
}

async function backfillRateMonth(
  month: string,
  settings: Settings,
  storage: StorageClients,
  source: FxRatesSource,
  io: CommandIO,
): Promise<MonthResult> {
  const { ingestRates, rateSnapshotOnOrBefore } = await import('../../shared/rates');
  const asOf = firstDay(month);
  const committed = await rateSnapshotOnOrBefore(storage, asOf);
  if (committed?.asOf === asOf) return skipped(month, asOf, {});
  // Partner Center's FX file of a month is fetched by the as-of day's month: the first lies in it.
  const run = await ingestRates({
    storage,
    settings,
    logger: createLogger(logSinkOf(io)),
    open: () => source.fetchRates({ asOf }),
    kind: 'ingest',
    source: source.name,
    asOf,
    dayFrom: source.dayFrom,
  });
  return resultOf(month, {}, run);
}

/** No snapshots table yet (nothing was ever stored): nothing is committed. */
function notYet(error: unknown): null {
  if ((error as { statusCode?: number }).statusCode === 404) return null;
  throw error;
}

function skipped(month: string, asOf: string, where: Where): MonthResult {
  return { month, ...where, asOf, outcome: 'skipped', added: 0, changed: 0, removed: 0, runId: null, error: null };
}

/** One line per month, as it ends: `[2/6] 2024-02 US/azure_consumption: added 3, changed 1, removed 0`. */
function progressLine(done: number, total: number, what: string, result: MonthResult): string {
  const line = `[${done}/${total}] ${what}`;
  if (result.outcome === 'skipped') return `${line}: skipped (already stored as of ${result.asOf})`;
  if (result.outcome === 'failed') return `${line}: FAILED — ${result.error}`;
  return `${line}: added ${result.added}, changed ${result.changed}, removed ${result.removed}`;
}

/** A failed month is an error (--quiet shows it); the others are progress. */
const levelOf = (result: MonthResult): LogLevel => (result.outcome === 'failed' ? 'error' : 'info');

/** The summary: a line for people, an object for --json. Returns the exit code. */
function report(io: CommandIO, what: string, months: MonthResult[], durationMs: number): number {
  const count = (outcome: MonthResult['outcome']) => months.filter((m) => m.outcome === outcome).length;
  const totals = { added: 0, changed: 0, removed: 0 };
  for (const month of months)
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += month[key];
  const [succeeded, failed, skippedCount] = [count('succeeded'), count('failed'), count('skipped')];
  const ok = failed === 0;
  io.summary(
    `backfill ${what}: ${succeeded} succeeded, ${skippedCount} skipped, ${failed} failed — ` +
      `added ${totals.added}, changed ${totals.changed}, removed ${totals.removed} ` +
      `(${(durationMs / 1000).toFixed(1)} s)`,
    { ok, succeeded, skipped: skippedCount, failed, ...totals, durationMs, months },
  );
  return ok ? 0 : 1;
}
