import { startFakeServer, type FakeServer } from './fakeServer';

/**
 * The Azure Retail Prices API: `$filter=priceType eq '...'` picks items by their `type`,
 * `$skip` pages through them, NextPageLink points at the next page and is null on the last.
 * Item values made with rawNumber() are written with exactly the digits given, so tests can
 * serve prices a double cannot hold.
 */

const RAW = Symbol('raw JSON number');
export interface RawNumber {
  [RAW]: string;
}
export function rawNumber(text: string): RawNumber {
  return { [RAW]: text };
}

export type RetailFakeValue =
  string | number | boolean | null | RawNumber | RetailFakeValue[] | { [key: string]: RetailFakeValue };
export type RetailFakeItem = Record<string, RetailFakeValue>;

export interface RetailFake extends FakeServer {
  /** Value for RETAIL_PRICES_URL. */
  pricesUrl: string;
  /** What the API lists from now on. */
  setItems(items: RetailFakeItem[]): void;
}

const PATH = '/api/retail/prices';

function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && RAW in v) {
      raws.push((v as RawNumber)[RAW]);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]);
}

export async function startRetailFake(
  initialItems: RetailFakeItem[],
  options: { pageSize?: number } = {},
): Promise<RetailFake> {
  const pageSize = options.pageSize ?? 2;
  let base = '';
  let items = initialItems;
  const server = await startFakeServer((request) => {
    if (request.url.pathname !== PATH) return { status: 404, body: 'Not Found' };
    const query = request.url.searchParams;
    const currency = /^'([A-Z]{3})'$/.exec(query.get('currencyCode') ?? '')?.[1];
    const priceType = /^priceType eq '(\w+)'$/.exec(query.get('$filter') ?? '')?.[1];
    if (!currency || !priceType) {
      return {
        status: 400,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ Error: { Code: 'BadRequest', Message: 'Invalid filter' } }),
      };
    }
    const matching = items.filter((item) => item.type === priceType);
    const skip = Number(query.get('$skip') ?? '0');
    const next = skip + pageSize < matching.length ? new URL(request.path, base) : undefined;
    next?.searchParams.set('$skip', String(skip + pageSize));
    const page = {
      BillingCurrency: currency,
      CustomerEntityId: 'Default',
      CustomerEntityType: 'Retail',
      Items: matching.slice(skip, skip + pageSize),
      NextPageLink: next ? next.toString() : null,
      Count: Math.min(pageSize, Math.max(0, matching.length - skip)),
    };
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: serialize(page) };
  });
  base = server.url;
  return {
    ...server,
    pricesUrl: `${server.url}${PATH}`,
    setItems: (next) => {
      items = next;
    },
  };
}
