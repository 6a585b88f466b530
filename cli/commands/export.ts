import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { CliCommand } from '../command';
import { UsageError } from '../options';
import { parseQuery, requestFor } from '../../shared/api/endpoint';
import { ApiError } from '../../shared/api/errors';
import { priceExportQuerySchema } from '../../shared/api/schemas';
import { nowInstant } from '../../shared/core/dates';
import { priceList, type PriceListRow } from '../../shared/quotes/priceList';
import { priceListFile } from '../../shared/quotes/priceListFile';

/**
 * `export --market CC … --out FILE`: the price-list export of GET /api/prices/export to a file, with
 * the same options (validated by the same schema, so an error names the option as the API names the
 * parameter).
 */
/** Each option and the query parameter of GET /api/prices/export it sets. */
const PARAMETERS: Record<string, string> = {
  market: 'market',
  view: 'view',
  date: 'date',
  currency: 'currency',
  customer: 'customer',
  'customer-group': 'customerGroup',
  format: 'format',
};

/** The problem's `detail` (`customerGroup: …`) with the parameter it names (`parameter`) as the option (`--customer-group: …`). */
function usageMessage(error: ApiError): string {
  const parameter = error.extensions.parameter;
  const option = Object.keys(PARAMETERS).find((name) => PARAMETERS[name] === parameter);
  const prefix = `${String(parameter)}: `;
  if (option === undefined || !error.message.startsWith(prefix)) return error.message;
  return `--${option}: ${error.message.slice(prefix.length)}`;
}

export const exportCommand: CliCommand = {
  name: 'export',
  usage:
    'export --market CC [--view …] [--date YYYY-MM-DD] [--currency EUR] [--customer ID] [--customer-group ID] [--format csv|xlsx] --out FILE [--json]',
  options: {
    market: { type: 'string' },
    view: { type: 'string' },
    date: { type: 'string' },
    currency: { type: 'string' },
    customer: { type: 'string' },
    'customer-group': { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  },
  async run({ values, positionals }, { io, openStorage }) {
    const out = values.out;
    if (typeof out !== 'string' || positionals.length > 0)
      throw new UsageError(`Usage: npm run cli -- ${exportCommand.usage}`);
    const query = new URLSearchParams();
    for (const [option, parameter] of Object.entries(PARAMETERS)) {
      const value = values[option];
      if (typeof value === 'string') query.set(parameter, value);
    }
    let params;
    try {
      params = parseQuery(priceExportQuerySchema, requestFor('/api/prices/export', query));
    } catch (e) {
      if (e instanceof ApiError) throw new UsageError(usageMessage(e));
      throw e;
    }
    const { storage, settings } = await openStorage();
    const started = Date.now();
    const list = await priceList(storage, settings, { ...params, instant: params.date ?? nowInstant() });
    let rows = 0;
    const progress = io.progress('Exporting prices');
    async function* counted(pages: AsyncIterable<PriceListRow[]>) {
      for await (const page of pages) {
        rows += page.length;
        progress.update(rows, rows);
        yield page;
      }
    }
    try {
      await pipeline(priceListFile({ ...list, rows: counted(list.rows) }, params.format), fs.createWriteStream(out));
    } finally {
      progress.stop();
    }
    const durationMs = Date.now() - started;
    io.summary(
      `export ${params.market}/${params.view}: ${rows} prices to ${out} (${(durationMs / 1000).toFixed(1)} s)`,
      {
        ok: true,
        out,
        format: params.format,
        rows,
        provenance: list.provenance,
        durationMs,
      },
    );
    return 0;
  },
};
