import { Readable } from 'node:stream';
import type { Settings } from '../../config/settings';
import type { PriceView } from '../views';
import { createUpstreamHttp, statusError, type UpstreamHttp } from '../../http/upstreamHttp';
import type { PriceSheetRequest, PriceSheetSource } from './source';
import { parseRetailPage } from '../../formats/retailPages';
import { asSourceError, reportingAs, SourceError } from '../../http/sourceErrors';

/**
 * The public Azure Retail Prices API: no credentials, list prices (not CSP prices), current
 * prices only, consumption and reservations only. Pages are fetched one after another as the
 * body is read, following NextPageLink to the end, and handed on one JSON page per line.
 */

/**
 * The API prices in one currency per request; this is the currency a partner in the market is
 * billed in. Extend it with care: the API accepts only the currencies it lists.
 */
const RETAIL_CURRENCY_BY_MARKET: Readonly<Record<string, string>> = {
  US: 'USD',
  CA: 'CAD',
  BR: 'BRL',
  GB: 'GBP',
  CH: 'CHF',
  DK: 'DKK',
  NO: 'NOK',
  SE: 'SEK',
  AT: 'EUR',
  BE: 'EUR',
  DE: 'EUR',
  ES: 'EUR',
  FI: 'EUR',
  FR: 'EUR',
  IE: 'EUR',
  IT: 'EUR',
  NL: 'EUR',
  PT: 'EUR',
  AU: 'AUD',
  NZ: 'NZD',
  IN: 'INR',
  JP: 'JPY',
  KR: 'KRW',
  TW: 'TWD',
};

const PRICE_TYPE: Partial<Record<PriceView, string>> = {
  azure_consumption: 'Consumption',
  azure_reservations: 'Reservation',
};

/** `currencyCode='USD'&$filter=priceType eq 'Consumption'&meterRegion='primary'`, encoded as the API's own examples. */
function retailPricesUrl(baseUrl: string, currency: string, priceType: string): string {
  const query = [
    `currencyCode=${encodeURIComponent(`'${currency}'`)}`,
    `$filter=${encodeURIComponent(`priceType eq '${priceType}'`)}`,
    // Without it every meter also comes once for each non-primary region that bills it.
    `meterRegion=${encodeURIComponent("'primary'")}`,
  ].join('&');
  return `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}${query}`;
}

export function createRetailSource(
  settings: Settings,
  http: UpstreamHttp = createUpstreamHttp(settings),
): PriceSheetSource {
  const origin = new URL(settings.RETAIL_PRICES_URL).origin;

  async function fetchPage(url: string, pageNumber: number, signal?: AbortSignal) {
    const response = await http.send({ url, headers: { Accept: 'application/json' }, signal });
    const what = `Retail Prices page ${pageNumber}`;
    if (response.status !== 200) throw statusError(what, response);
    try {
      return { text: response.text, page: parseRetailPage(response.text) };
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message}`);
    }
  }

  /** NextPageLink must lead back to the same API: a page cannot send the job (or its errors) elsewhere. */
  function nextUrl(link: string, seen: Set<string>): string {
    if (new URL(link).origin !== origin) throw new Error(`NextPageLink leaves ${origin}: ${new URL(link).origin}`);
    if (seen.has(link)) throw new Error('NextPageLink points back to a page already read');
    seen.add(link);
    return link;
  }

  return {
    name: 'retail',
    // The API publishes the prices in force now, nothing of the past.
    history: false,
    async fetchPriceSheet(request, signal) {
      const { currency, priceType } = retailQuery(request);
      const firstUrl = retailPricesUrl(settings.RETAIL_PRICES_URL, currency, priceType);
      // The first page is fetched before answering, so a refused query fails the fetch itself.
      const first = await fetchPage(firstUrl, 1, signal).catch((error: unknown) => {
        throw asSourceError(error, request);
      });
      async function* pages(): AsyncGenerator<string> {
        const seen = new Set([firstUrl]);
        let current = first;
        for (let pageNumber = 2; ; pageNumber += 1) {
          // A page is one line: JSON allows line breaks only between tokens, where a space means the same.
          yield `${current.text.replace(/[\r\n]+/g, ' ')}\n`;
          if (current.page.nextPageLink === null) return;
          current = await fetchPage(nextUrl(current.page.nextPageLink, seen), pageNumber, signal);
        }
      }
      return {
        body: reportingAs(request, Readable.from(pages(), { objectMode: false })),
        format: 'retail-json-pages',
        origin: `Azure Retail Prices ${settings.RETAIL_PRICES_URL} (${priceType}, ${currency})`,
      };
    },
  };
}

function retailQuery(request: PriceSheetRequest): { currency: string; priceType: string } {
  const priceType = PRICE_TYPE[request.view];
  if (!priceType)
    throw new SourceError(
      'the Retail Prices API has no such price list (only azure_consumption and azure_reservations)',
      request,
    );
  if (request.timeline !== 'current')
    throw new SourceError('the Retail Prices API publishes current prices only', request);
  const currency = RETAIL_CURRENCY_BY_MARKET[request.market];
  if (!currency) {
    const known = Object.keys(RETAIL_CURRENCY_BY_MARKET).join(', ');
    throw new SourceError(
      `the retail source knows no currency for market ${request.market} (known markets: ${known})`,
      request,
    );
  }
  return { currency, priceType };
}
