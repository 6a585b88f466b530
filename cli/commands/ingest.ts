import fs from 'node:fs';
import path from 'node:path';
import { createLogger, stderrSink } from '../../shared/observability/logger';
import { ingestPriceSheet } from '../../shared/prices/ingest';
import { ingestRates } from '../../shared/rates/ingest';
import { ratesFileFormat } from '../../shared/formats/ratesFileFormat';
import { detectSheetKind } from '../../shared/prices/sheetKind';
import type { CliCommand } from '../command';
import { asOfOption, marketsOption, timelineOption, UsageError, viewsOption } from '../options';
import { reportRuns } from '../runSummary';

/**
 * `ingest <file>`: a Partner Center price file (CSV, gzip or zip) through the same pipeline as the
 * refresh; an exchange-rate file (Partner Center FX CSV, recognised by its header, or ECB XML)
 * through the rates pipeline.
 */
export const ingestCommand: CliCommand = {
  name: 'ingest',
  usage:
    'ingest <file> [--market CC] [--view azure_consumption|azure_reservations|updatedlicensebased] [--as-of YYYY-MM-DD] [--timeline current|future] [--json]',
  options: {
    market: { type: 'string' },
    view: { type: 'string' },
    'as-of': { type: 'string' },
    timeline: { type: 'string' },
  },
  async run({ values, positionals }, { io, openStorage }) {
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError(`Usage: npm run cli -- ${ingestCommand.usage}`);
    const fullPath = path.resolve(file);
    await fs.promises.access(fullPath, fs.constants.R_OK).catch(() => {
      throw new UsageError(`cannot read ${file}`);
    });
    const { settings, storage } = await openStorage();
    const ratesFormat = await ratesFileFormat(fullPath);
    if (ratesFormat !== null) {
      for (const option of ['market', 'view', 'timeline'])
        if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to an exchange-rate file`);
      const asOf = asOfOption(values['as-of']);
      const started = Date.now();
      const run = await ingestRates({
        storage,
        settings,
        logger: createLogger(stderrSink),
        open: async () => ({ body: fs.createReadStream(fullPath), origin: `file ${path.basename(fullPath)}` }),
        kind: 'ingest',
        source: `file:${path.basename(fullPath)}`,
        asOf,
      });
      return reportRuns(
        io,
        `ingest ${path.basename(fullPath)} (exchange rates, ${ratesFormat}, ${asOf})`,
        [run],
        Date.now() - started,
      );
    }
    const market = marketsOption(values.market);
    if (market && market.length > 1) throw new UsageError('--market takes one market for a file');
    const view = viewsOption(values.view);
    if (view && view.length > 1) throw new UsageError('--view takes one view for a file');
    const kind = await detectSheetKind(fullPath, { market: market?.[0], view: view?.[0] });
    const asOf = asOfOption(values['as-of']);
    const started = Date.now();
    const progress = io.progress('rows');
    const run = await ingestPriceSheet({
      storage,
      settings,
      logger: createLogger(stderrSink),
      open: async () => ({
        body: fs.createReadStream(fullPath),
        format: 'partnercenter-csv',
        origin: `file ${path.basename(fullPath)}`,
      }),
      kind: 'ingest',
      source: `file:${path.basename(fullPath)}`,
      market: kind.market,
      view: kind.view,
      timeline: timelineOption(values.timeline),
      asOf,
      onProgress: (p) => p.phase !== 'download' && progress.update(p.done, p.total),
    });
    progress.stop();
    return reportRuns(
      io,
      `ingest ${path.basename(fullPath)} (${kind.market}/${kind.view} ${asOf})`,
      [run],
      Date.now() - started,
    );
  },
};
