import type { PriceView } from '../views';
import { licenseFigures } from '../licenseFigures';
import type { PriceVersion } from '../version';
import type { Converter } from '../../rates';
import { exact, exactOrNull } from '../../api/json';

/**
 * A stored price version as an API item: the camelCase Partner Center fields, prices as exact JSON
 * numbers, dates as ISO 8601 UTC, the Retail Prices API's region and price type (empty for Partner
 * Center sheets); license-based items add the monthly equivalent and margin; with
 * a converter, the price in the target currency.
 */
export function priceItem(version: PriceVersion, view: PriceView, converter?: Converter): Record<string, unknown> {
  const item: Record<string, unknown> = {
    productTitle: version.productTitle,
    productId: version.productId,
    skuId: version.skuId,
    skuTitle: version.skuTitle,
    publisher: version.publisher,
    skuDescription: version.skuDescription,
    unitOfMeasure: version.unitOfMeasure,
    termDuration: version.termDuration,
    billingPlan: version.billingPlan,
    market: version.market,
    currency: version.currency,
    unitPrice: exact(version.unitPrice),
    pricingTierRangeMin: exactOrNull(version.pricingTierRangeMin),
    pricingTierRangeMax: exactOrNull(version.pricingTierRangeMax),
    effectiveStartDate: version.effectiveStartDate,
    effectiveEndDate: version.effectiveEndDate,
    meterId: version.meterId,
    meterType: version.meterType,
    tags: version.tags,
    erpPrice: exactOrNull(version.erpPrice),
    region: version.region,
    location: version.location,
    priceType: version.priceType,
  };
  if (view === 'updatedlicensebased') {
    item.endOfSaleDate = version.endOfSaleDate;
    const figures = licenseFigures(version);
    if (figures) {
      item.monthlyUnitPrice = exact(figures.monthlyUnitPrice);
      item.marginAmount = exactOrNull(figures.marginAmount);
      item.marginPercent = exactOrNull(figures.marginPercent);
    }
  }
  if (converter) {
    const converted = converter.convert(version.unitPrice, version.currency);
    item.converted = {
      currency: converter.target,
      unitPrice: exact(converted.unitPrice),
      usdPerUnit: exact(converted.usdPerUnit),
      fromUsdPerUnit: exact(converted.fromUsdPerUnit),
      rateDate: converter.snapshot.asOf,
      source: converter.snapshot.source,
    };
  }
  return item;
}
