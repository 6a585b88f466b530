import type { Readable } from 'node:stream';
import type { StorageClients } from '../../storage/clients';
import type { Settings } from '../../config/settings';
import type { Logger } from '../../observability/logger';
import { nowInstant } from '../../core/dates';
import {
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiRequest,
  type ApiResponse,
} from '../../api/endpoint';
import { ApiError } from '../../api/errors';
import { marketSnapshots } from '../../prices';
import { NO_STORE } from '../../api/caching';
import { priceExportQuerySchema } from '../../api/schemas';
import { RateNotFoundError } from '../../rates';
import { priceList } from '../priceList';
import { EXPORT_MEDIA_TYPES, priceListFile } from '../priceListFile';

export const priceExportDoc: ApiDoc = {
  summary: 'The price list of a market and view as a CSV or xlsx file, with converted, partner and customer prices',
  description:
    'Every price in force on `date` with every published field, the price converted to `currency`, the partner ' +
    'cost after partner-earned credit and the customer price after the rule that applies to `customer`. Streamed ' +
    '(memory flat for any size). CSV starts with `#` provenance lines; xlsx has an About sheet before Prices. ' +
    'Not cached (`Cache-Control: no-store`, no ETag): a download is kept as a file, not revalidated, and depends ' +
    'on the prices, the rates and the price rules at the time it is made (its provenance says which).',
  query: priceExportQuerySchema,
  responseMediaTypes: {
    'text/csv': 'CSV: `# label: value` provenance lines, a header row, one row per price.',
    [EXPORT_MEDIA_TYPES.xlsx.split(';')[0]]: 'xlsx: sheets About (provenance) and Prices.',
  },
  errors: {
    400: 'A parameter is invalid, unknown or repeated.',
    404: 'MarketNotFound: no price snapshot of the market and view is stored.',
    422: 'RateNotFound: `currency` (or a price currency) has no exchange rate in force on that day.',
    503: STORAGE_UNAVAILABLE_DOC,
  },
  cache: 'no-store',
};

/** A streamed file answer. */
export interface FileResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

/**
 * GET /api/prices/export. Everything that can fail with a status (parameters, market, rates) fails before the
 * first byte; a storage failure later cuts the stream (the status is sent by then), so a client sees
 * a truncated download, never a short file that looks complete.
 */
export function handlePriceExport(
  request: ApiRequest,
  storage: StorageClients,
  settings: Pick<Settings, 'PEC_PERCENT'>,
  logger: Logger,
): Promise<FileResponse | ApiResponse> {
  return runEndpoint<FileResponse>(logger, async () => {
    const params = parseQuery(priceExportQuerySchema, request);
    const instant = params.date ?? nowInstant();
    // A market and view never loaded is a 404, as in GET /api/prices, not an empty file.
    await marketSnapshots(storage, params.market, params.view);
    let list;
    try {
      list = await priceList(storage, settings, { ...params, instant });
    } catch (e) {
      if (e instanceof RateNotFoundError)
        throw new ApiError(422, 'RateNotFound', e.message, { parameter: 'currency', currency: e.currency });
      throw e;
    }
    const body = priceListFile(list, params.format);
    body.on('error', (error) => logger.error('price export failed', { error: error.message }));
    const name = `prices-${params.market}-${params.view}-${instant.slice(0, 10)}${params.currency ? `-${params.currency}` : ''}.${params.format}`;
    logger.info('price export', { market: params.market, view: params.view, format: params.format });
    return {
      status: 200,
      headers: {
        'content-type': EXPORT_MEDIA_TYPES[params.format],
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': NO_STORE,
      },
      body,
    };
  });
}
