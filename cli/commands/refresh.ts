import { createLogger } from '../../shared/observability/logger';
import { priceSourceSchema, ratesSourceSchema } from '../../shared/config/settings';
import { todayUtc } from '../../shared/core/dates';
import type { CliCommand, CommandArgs } from '../command';
import { logSinkOf, type CommandIO } from '../io';
import type { LocalStorage } from '../../runtime/storage';
import type { Timeline } from '../../shared/prices/views';
import { asOfOption, marketsOption, timelineOption, UsageError, viewsOption } from '../options';
import { TOOL } from '../program';
import { reportRuns } from '../runSummary';
import { enqueuePriceRefresh, planPriceRefresh } from '../../shared/prices/refreshQueue';
import { enqueueRateRefresh, planRateRefresh } from '../../shared/rates/refreshQueue';

/**
 * `refresh prices` / `refresh rates`: the refresh pipelines by hand, in this process, for any source and
 * as-of day (backfills, from the sources that have history; prices also for any markets/views). With
 * `--enqueue` the same runs are planned on the refresh queues instead, as the timers do, for the queue
 * workers (the app) to run; the summary names the plan and the messages.
 */
export const refreshCommand: CliCommand = {
  name: 'refresh',
  summary: 'the daily price or exchange-rate refresh by hand, for any source and as-of day',
  usage:
    'refresh prices [--market US,DE] [--view azure_consumption,azure_reservations] ' +
    '[--source partnercenter|retail|sample|file:<path>] [--as-of YYYY-MM-DD] [--timeline current|future] [--allow-mass-removal] [--enqueue] [--json]\n' +
    '  refresh rates [--source partnercenter|ecb|sample|file:<path>] [--as-of YYYY-MM-DD] [--enqueue] [--json]',
  options: {
    market: {
      type: 'string',
      value: 'US,DE',
      description: 'prices: markets, comma-separated (default PRICES_MARKETS)',
    },
    view: {
      type: 'string',
      value: 'view,…',
      description: 'prices: azure_consumption, azure_reservations, updatedlicensebased (default PRICES_VIEWS)',
    },
    source: {
      type: 'string',
      value: 'name',
      description:
        'prices: partnercenter, retail, sample or file:<path> (default PRICES_SOURCE); ' +
        'rates: partnercenter, ecb, sample or file:<path> (default RATES_SOURCE)',
    },
    'as-of': {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'the day stored (default today, UTC); a past day is a backfill',
    },
    timeline: { type: 'string', value: 'current|future', description: "prices: the list in force or the next month's" },
    // The operator confirms sheets that remove more than REMOVAL_GUARD_PERCENT of the prices.
    'allow-mass-removal': {
      type: 'boolean',
      description: 'prices: store a sheet that removes more than REMOVAL_GUARD_PERCENT of the prices',
    },
    enqueue: {
      type: 'boolean',
      description: "plan the runs on the refresh queue for the app's workers instead of running them here",
    },
  },
  examples: [
    { command: 'refresh prices --as-of 2026-11-27', says: 'backfill the configured markets and views one day earlier' },
    {
      command: 'refresh prices --view updatedlicensebased --timeline future',
      says: "the next month's license-based list",
    },
    { command: 'refresh rates --json', says: "today's exchange rates, the summary as JSON" },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    const [subject] = positionals;
    if (subject !== 'prices' && subject !== 'rates')
      throw new UsageError(`refresh what? Usage: ${TOOL} ${refreshCommand.usage}`);
    const local = await openStorage();
    return subject === 'rates' ? refreshRatesCommand(values, local, io) : refreshPricesCommand(values, local, io);
  },
};

async function refreshRatesCommand(
  values: CommandArgs['values'],
  { settings, storage }: LocalStorage,
  io: CommandIO,
): Promise<number> {
  for (const option of ['market', 'view', 'timeline', 'allow-mass-removal'])
    if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to refresh rates`);
  const sourceName = values.source === undefined ? settings.RATES_SOURCE : String(values.source);
  if (!ratesSourceSchema.safeParse(sourceName).success)
    throw new UsageError(`--source must be partnercenter, ecb, sample or file:<path>; got "${sourceName}"`);
  const asOf = asOfOption(values['as-of']);
  const { createFxRatesSource, RATES_BACKFILL_SOURCES } = await import('../../shared/rates/sources/factory');
  const { refreshRates } = await import('../../shared/rates/ingest');
  const source = createFxRatesSource(settings, sourceName);
  refuseOtherDay(asOf, source, 'rates', RATES_BACKFILL_SOURCES);
  if (values.enqueue === true) {
    const plan = planRateRefresh({ sources: [sourceName], asOf });
    return reportPlan(
      io,
      'rates',
      plan.planId,
      await enqueueRateRefresh(storage, plan),
      storage.names.queues.rateRefresh,
    );
  }
  const started = Date.now();
  const run = await refreshRates({
    storage,
    settings,
    logger: createLogger(logSinkOf(io)),
    source,
    asOf,
    asOfGivenAs: values['as-of'] === undefined ? undefined : '--as-of',
  });
  const code = reportRuns(io, `rates ${run.asOf}`, [run], Date.now() - started);
  // A file whose day contradicts --as-of is a refusal, like a usage error.
  return run.fileFault ? 2 : code;
}

/** A source without history serves only today's data: another --as-of would store it under a day it is not of. */
function refuseOtherDay(asOf: string, source: { name: string; history: boolean }, what: string, able: string): void {
  const today = todayUtc();
  if (source.history || asOf === today) return;
  throw new UsageError(
    `--as-of ${asOf}: the ${source.name} source serves only today's ${what} (${today}); ` +
      `sources that can backfill: ${able}`,
  );
}

/**
 * Partner Center serves today's list, and a past month's list as in force on its 1st (its history by
 * month, current lists only): any other --as-of would store a list under a day it is not of.
 * Returns the month (YYYYMM) to fetch for a past month's 1st, nothing for today.
 */
function partnerCenterMonth(asOf: string, timeline: Timeline): string | undefined {
  const today = todayUtc();
  if (asOf === today) return undefined;
  const month = asOf.slice(0, 7);
  if (month >= today.slice(0, 7))
    throw new UsageError(`--as-of ${asOf}: Partner Center's current price list is today's (${today}, UTC)`);
  const backfill = `npm run cli -- backfill prices --from ${month} --to ${month}`;
  if (!asOf.endsWith('-01'))
    throw new UsageError(
      `--as-of ${asOf}: a past month's price list from Partner Center is the list as of its 1st; ` +
        `use --as-of ${month}-01 or ${backfill}`,
    );
  if (timeline !== 'current')
    throw new UsageError(
      `--as-of ${asOf}: Partner Center's history holds current price lists only, not --timeline ${timeline}`,
    );
  return month.replace('-', '');
}

async function refreshPricesCommand(
  values: CommandArgs['values'],
  { settings, storage }: LocalStorage,
  io: CommandIO,
): Promise<number> {
  const sourceName = values.source === undefined ? settings.PRICES_SOURCE : String(values.source);
  if (!priceSourceSchema.safeParse(sourceName).success)
    throw new UsageError(`--source must be partnercenter, retail, sample or file:<path>; got "${sourceName}"`);
  const markets = marketsOption(values.market) ?? settings.PRICES_MARKETS;
  const views = viewsOption(values.view) ?? settings.PRICES_VIEWS;
  const asOf = asOfOption(values['as-of']);
  const timeline = timelineOption(values.timeline);
  const { createPriceSheetSource, PRICE_BACKFILL_SOURCES } = await import('../../shared/prices/sources/factory');
  const { refreshPrices } = await import('../../shared/prices/refresh');
  const source = createPriceSheetSource(settings, sourceName);
  refuseOtherDay(asOf, source, 'prices', PRICE_BACKFILL_SOURCES);
  const month = source.name === 'partnercenter' ? partnerCenterMonth(asOf, timeline) : undefined;
  const allowMassRemoval = values['allow-mass-removal'] === true;
  if (values.enqueue === true) {
    const plan = planPriceRefresh({
      markets,
      views,
      timelines: [timeline],
      asOf,
      source: sourceName,
      month,
      allowMassRemoval,
    });
    const enqueued = await enqueuePriceRefresh(storage, plan);
    return reportPlan(io, `prices ${asOf}`, plan.planId, enqueued, storage.names.queues.priceRefresh);
  }
  const started = Date.now();
  const bar = io.progress('rows');
  const runs = await refreshPrices({
    storage,
    settings,
    logger: createLogger(logSinkOf(io)),
    source,
    markets,
    views,
    timeline,
    asOf,
    month,
    allowMassRemoval,
    kind: 'refresh',
    onProgress: (_market, _view, progress) =>
      progress.phase !== 'download' && bar.update(progress.done, progress.total),
  });
  bar.stop();
  return reportRuns(io, `prices ${asOf}`, runs, Date.now() - started);
}

/** The summary of an enqueued plan: the runs are the app's now (the run ledger and `GET /api/health` follow them). */
function reportPlan(io: CommandIO, what: string, planId: string, enqueued: number, queue: string): number {
  io.summary(`${what}: plan ${planId} — ${enqueued} message${enqueued === 1 ? '' : 's'} enqueued on ${queue}`, {
    ok: true,
    planId,
    enqueued,
    queue,
  });
  return 0;
}
