import type { StorageClients } from '../storage/clients';
import type { Settings } from '../config/settings';
import {
  lookupPrices,
  snapshotOnOrBefore,
  type LookupCursor,
  type PriceField,
  type PriceVersion,
  type PriceView,
} from '../prices';
import { CONVERSION, converterFor, type Converter } from '../rates';
import { adjust, currencyDecimals, earnsPec, partnerCostOf, roundTo } from './customerPrice';
import { ruleFor } from './precedence';
import type { PriceRule } from './rule';
import { listRules } from './ruleStore';

/**
 * A market and view's price list in force at an instant, row by row, with what a sales team needs
 * next to each published price: the price converted, the partner's cost after partner-earned
 * credit, and the customer's price after the rule that applies (docs/api.md, "GET /api/prices/export").
 * Read a listing page at a time, so memory stays flat whatever the size of the market.
 */

export interface PriceListQuery {
  market: string;
  view: PriceView;
  instant: string;
  /** Convert to this currency. */
  currency?: string;
  customer?: string;
  customerGroup?: string;
}

/** What the file says about where its figures come from. */
export interface Provenance {
  market: string;
  view: PriceView;
  pricesInForceAt: string;
  /** The price snapshot the list is read from (the latest on or before the day). */
  snapshot: { asOf: string; source: string } | null;
  conversion: {
    currency: string;
    rateDate: string;
    source: string;
    via: string;
    rounding: string;
    decimals: number;
  } | null;
  pecPercent: string;
  customer: string | null;
  customerGroup: string | null;
  rules: number;
}

export interface PriceListRow {
  published: PriceVersion;
  /** The currency of the three figures below (the published one unless converted). */
  currency: string;
  convertedUnitPrice: string | null;
  pecPercent: string | null;
  partnerUnitCost: string;
  customerUnitPrice: string;
  ruleId: string | null;
}

export interface PriceList {
  provenance: Provenance;
  rows: AsyncIterable<PriceListRow[]>;
}

/** A sales team's column names for the published fields. */
export const PUBLISHED_LABELS: Record<PriceField, string> = {
  productTitle: 'Product',
  productId: 'Product ID',
  skuId: 'SKU ID',
  skuTitle: 'SKU',
  publisher: 'Publisher',
  skuDescription: 'SKU description',
  unitOfMeasure: 'Unit of measure',
  termDuration: 'Term',
  billingPlan: 'Billing plan',
  market: 'Market',
  currency: 'Currency',
  unitPrice: 'Unit price',
  pricingTierRangeMin: 'Tier from',
  pricingTierRangeMax: 'Tier to',
  effectiveStartDate: 'Effective from (UTC)',
  effectiveEndDate: 'Effective to (UTC)',
  meterId: 'Meter ID',
  meterType: 'Meter type',
  tags: 'Tags',
  erpPrice: 'ERP price',
  endOfSaleDate: 'End of sale (UTC)',
  region: 'Region',
  location: 'Location',
  priceType: 'Price type',
};

/** Decimal places of a decimal text. */
const places = (text: string) => text.split('.')[1]?.length ?? 0;

/**
 * The customer's unit price: the rule applied to one unit of partner cost, rounded with the rule's
 * mode to its decimals when it names them, else to the decimal places the price is published with
 * (at least the currency's minor unit), so that 0.000140 does not become 0.00. Without a rule it is
 * the price (converted, when asked).
 */
function customerUnitPrice(
  rule: PriceRule | null,
  partnerUnitCost: string,
  price: string,
  published: string,
  currency: string,
): string {
  if (rule === null) return price;
  const decimals = rule.rounding.decimals ?? Math.max(currencyDecimals(currency), places(published));
  return roundTo(adjust(partnerUnitCost, '1', rule.adjustment), decimals, rule.rounding.mode);
}

const PAGE = 1000;

export async function priceList(
  storage: StorageClients,
  settings: Pick<Settings, 'PEC_PERCENT'>,
  query: PriceListQuery,
): Promise<PriceList> {
  const day = query.instant.slice(0, 'YYYY-MM-DD'.length);
  const [rules, snapshot, converter] = await Promise.all([
    listRules(storage),
    snapshotOnOrBefore(storage, { market: query.market, view: query.view, timeline: 'current', asOf: day }),
    query.currency === undefined ? Promise.resolve(null) : converterFor(storage, day, query.currency),
  ]);
  const provenance: Provenance = {
    market: query.market,
    view: query.view,
    pricesInForceAt: query.instant,
    snapshot: snapshot && { asOf: snapshot.asOf, source: snapshot.source },
    conversion: converter && {
      currency: converter.target,
      rateDate: converter.snapshot.asOf,
      source: converter.snapshot.source,
      ...CONVERSION,
    },
    pecPercent: settings.PEC_PERCENT,
    customer: query.customer ?? null,
    customerGroup: query.customerGroup ?? null,
    rules: rules.length,
  };
  return { provenance, rows: pages(storage, settings, query, rules, converter) };
}

async function* pages(
  storage: StorageClients,
  settings: Pick<Settings, 'PEC_PERCENT'>,
  query: PriceListQuery,
  rules: PriceRule[],
  converter: Converter | null,
): AsyncIterable<PriceListRow[]> {
  let cursor: LookupCursor | undefined;
  do {
    const page = await lookupPrices(storage, {
      market: query.market,
      view: query.view,
      instant: query.instant,
      top: PAGE,
      cursor,
    });
    await converter?.prepare(page.versions.map((version) => version.currency));
    yield page.versions.map((version) => rowOf(version, query, settings, rules, converter));
    cursor = page.next ?? undefined;
  } while (cursor);
}

function rowOf(
  version: PriceVersion,
  query: PriceListQuery,
  settings: Pick<Settings, 'PEC_PERCENT'>,
  rules: PriceRule[],
  converter: Converter | null,
): PriceListRow {
  const convertedUnitPrice = converter ? converter.convert(version.unitPrice, version.currency).unitPrice : null;
  const currency = converter ? converter.target : version.currency;
  const price = convertedUnitPrice ?? version.unitPrice;
  const pecPercent = earnsPec({ view: query.view, ...version }) ? settings.PEC_PERCENT : null;
  const partnerUnitCost = partnerCostOf(price, pecPercent);
  const rule = ruleFor(rules, {
    customer: query.customer,
    customerGroup: query.customerGroup,
    market: query.market,
    view: query.view,
    productId: version.productId,
    skuId: version.skuId,
    tags: version.tags,
    currency,
    instant: query.instant,
  });
  return {
    published: version,
    currency,
    convertedUnitPrice,
    pecPercent,
    partnerUnitCost,
    customerUnitPrice: customerUnitPrice(rule, partnerUnitCost, price, version.unitPrice, currency),
    ruleId: rule?.id ?? null,
  };
}
