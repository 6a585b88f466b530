import fs from 'node:fs';
import path from 'node:path';
import { todayUtc } from '../../shared/core/dates';
import { FileFault } from '../../shared/files/fault';
import { createLogger } from '../../shared/observability/logger';
import type { PipelineRun } from '../../shared/runs/recordedRun';
import type { FileLabels, FilePlan, LabelName } from '../../shared/uploads/classify';
import type { CliCommand, CommandArgs } from '../command';
import { logSinkOf, type CommandIO } from '../io';
import { asOfOption, marketsOption, timelineOption, UsageError, viewsOption } from '../options';
import { TOOL } from '../program';
import { reportRuns } from '../runSummary';

/**
 * `ingest <file>`: a Partner Center price file (CSV, gzip or zip) through the same pipeline as the
 * refresh; an exchange-rate file (Partner Center FX CSV, recognised by its header, or ECB XML)
 * through the rates pipeline. What the file is, is decided as for a blob drop (shared/uploads/classify),
 * with the options as its labels. A file at fault (FileFault) exits with code 2.
 */
export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'a local Partner Center price sheet or exchange-rate file through the same pipeline',
  usage:
    'ingest <file> [--market CC] [--view azure_consumption|azure_reservations|updatedlicensebased] [--as-of YYYY-MM-DD] [--timeline current|future]' +
    ' [--allow-mass-removal] [--json]',
  options: {
    market: { type: 'string', value: 'CC', description: "the file's market, when its rows do not say it" },
    view: { type: 'string', value: 'view', description: "the file's view, when its header does not show it" },
    'as-of': { type: 'string', value: 'YYYY-MM-DD', description: 'the day the file is of (default today, UTC)' },
    timeline: {
      type: 'string',
      value: 'current|future',
      description: 'a current list or a future one (default current)',
    },
    // The operator confirms a sheet that removes more than REMOVAL_GUARD_PERCENT of the prices.
    'allow-mass-removal': {
      type: 'boolean',
      description: 'store a sheet that removes more than REMOVAL_GUARD_PERCENT of the prices',
    },
  },
  examples: [
    {
      command: 'ingest sample-data/fxrates.csv --as-of 2026-11-01',
      says: 'an FX file (known by its header) of month 202611',
    },
    {
      command: 'ingest sample-data/US_updatedlicensebased.csv --json',
      says: 'a license-based price sheet, summary as JSON',
    },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError(`Usage: ${TOOL} ${ingestCommand.usage}`);
    const fullPath = path.resolve(file);
    await fs.promises.access(fullPath, fs.constants.R_OK).catch(() => {
      throw new UsageError(`cannot read ${file}`);
    });
    const plan = await ingestPlan(fullPath, values);
    const { settings, storage } = await openStorage();
    const name = path.basename(fullPath);
    const common = {
      storage,
      settings,
      logger: createLogger(logSinkOf(io)),
      kind: 'ingest' as const,
      source: `file:${name}`,
      asOf: plan.asOf,
    };
    const started = Date.now();
    if (plan.kind === 'exchange-rates') {
      const { ingestRates } = await import('../../shared/rates/ingest');
      const run = await ingestRates({
        ...common,
        open: async () => ({ body: fs.createReadStream(fullPath), origin: `file ${name}` }),
        dayFrom: 'file',
        asOfGivenAs: plan.from.asOf === 'option' ? '--as-of' : undefined,
      });
      return report(io, `ingest ${name} (exchange rates, ${plan.format}, ${run.asOf})`, run, started);
    }
    const { ingestPriceSheet } = await import('../../shared/prices/ingest');
    const progress = io.progress('rows');
    const run = await ingestPriceSheet({
      ...common,
      open: async () => ({ body: fs.createReadStream(fullPath), format: 'partnercenter-csv', origin: `file ${name}` }),
      market: plan.market,
      view: plan.view,
      timeline: plan.timeline,
      allowMassRemoval: values['allow-mass-removal'] === true,
      onProgress: (p) => p.phase !== 'download' && progress.update(p.done, p.total),
    });
    progress.stop();
    return report(io, `ingest ${name} (${plan.market}/${plan.view} ${plan.asOf})`, run, started);
  },
};

/** The run's summary; a run that failed because the file is at fault exits with code 2, like a refusal. */
function report(io: CommandIO, what: string, run: PipelineRun, started: number): number {
  const code = reportRuns(io, what, [run], Date.now() - started);
  return run.fileFault ? 2 : code;
}

/** How a refusal names each label: the option as the caller typed it. */
const OPTION_OF: Record<LabelName, string> = {
  market: '--market',
  view: '--view',
  timeline: '--timeline',
  asOf: '--as-of',
};

/**
 * What the file is, with the options as its labels and today (UTC) as the default as-of day. A refusal
 * is a usage error naming the option (exit code 2), as for an option that is not valid.
 */
export async function ingestPlan(file: string, values: CommandArgs['values']): Promise<FilePlan> {
  const { classifyFile } = await import('../../shared/uploads/classify');
  try {
    return await classifyFile(file, optionLabels(values), {
      defaultAsOf: { day: todayUtc(), from: 'today' },
      givenBy: (name) => OPTION_OF[name],
      nameIt: (name) => `with ${OPTION_OF[name]}`,
    });
  } catch (e) {
    if (e instanceof FileFault) throw new UsageError(e.message);
    throw e;
  }
}

function optionLabels(values: CommandArgs['values']): FileLabels {
  const markets = marketsOption(values.market);
  if (markets && markets.length > 1) throw new UsageError('--market takes one market for a file');
  const views = viewsOption(values.view);
  if (views && views.length > 1) throw new UsageError('--view takes one view for a file');
  const labels: FileLabels = {};
  if (markets) labels.market = { value: markets[0], from: 'option' };
  if (views) labels.view = { value: views[0], from: 'option' };
  if (values.timeline !== undefined) labels.timeline = { value: timelineOption(values.timeline), from: 'option' };
  if (values['as-of'] !== undefined) labels.asOf = { value: asOfOption(values['as-of']), from: 'option' };
  return labels;
}
