import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { CliCommand } from '../command';
import { UsageError } from '../options';
import { parseQuery, requestFor } from '../../shared/api/endpoint';
import { ApiError } from '../../shared/api/errors';
import { priceExportQuerySchema } from '../../shared/api/schemas';
import { nowInstant } from '../../shared/core/dates';
import type { PriceListRow } from '../../shared/quotes/priceList';

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
  summary: 'the price list in force with converted, partner and customer prices to a CSV or xlsx file',
  usage:
    'export --market CC [--view …] [--date YYYY-MM-DD] [--currency EUR] [--customer ID] [--customer-group ID] [--format csv|xlsx] --out FILE [--json]',
  options: {
    market: { type: 'string', value: 'CC', description: 'the market (two letters)' },
    view: {
      type: 'string',
      value: 'VIEW',
      description: 'azure_consumption (default), azure_reservations or updatedlicensebased',
    },
    date: {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'the day (or instant) whose price list is exported (default: now)',
    },
    currency: { type: 'string', value: 'EUR', description: 'convert prices to this currency' },
    customer: { type: 'string', value: 'ID', description: 'the customer whose price rules give the customer price' },
    'customer-group': { type: 'string', value: 'ID', description: "the customer's group (its rules apply too)" },
    format: { type: 'string', value: 'csv|xlsx', description: 'file format (default csv)' },
    out: { type: 'string', value: 'FILE', description: 'the file to write' },
  },
  examples: [
    {
      command: 'export --market US --date 2026-11-01 --currency EUR --format xlsx --out us-prices.xlsx',
      says: 'writes the US consumption price list of 2026-11-01 in EUR, with partner and customer prices',
    },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    const out = values.out;
    if (typeof out !== 'string' || positionals.length > 0)
      throw new UsageError(`Usage: csp-pricing ${exportCommand.usage}`);
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
    const { priceList } = await import('../../shared/quotes/priceList');
    const { priceListFile } = await import('../../shared/quotes/priceListFile');
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
