import type { PriceView } from '../views';
import { licenseFigures } from '../licenseFigures';
import type { PriceVersion } from '../version';
import type { Converter } from '../../rates';
import { exact, exactOrNull } from '../../api/json';

/**
 * A stored price version as an API item: the camelCase Partner Center fields, prices as exact JSON
 * numbers, dates as ISO 8601 UTC; license-based items add the monthly equivalent and margin; with
 * a converter, the price in the target currency.
 */
export function priceItem(v: PriceVersion, view: PriceView, converter?: Converter): Record<string, unknown> {
  const item: Record<string, unknown> = {
    productTitle: v.productTitle,
    productId: v.productId,
    skuId: v.skuId,
    skuTitle: v.skuTitle,
    publisher: v.publisher,
    skuDescription: v.skuDescription,
    unitOfMeasure: v.unitOfMeasure,
    termDuration: v.termDuration,
    billingPlan: v.billingPlan,
    market: v.market,
    currency: v.currency,
    unitPrice: exact(v.unitPrice),
    pricingTierRangeMin: exactOrNull(v.pricingTierRangeMin),
    pricingTierRangeMax: exactOrNull(v.pricingTierRangeMax),
    effectiveStartDate: v.effectiveStartDate,
    effectiveEndDate: v.effectiveEndDate,
    meterId: v.meterId,
    meterType: v.meterType,
    tags: v.tags,
    erpPrice: exactOrNull(v.erpPrice),
  };
  if (view === 'updatedlicensebased') {
    item.endOfSaleDate = v.endOfSaleDate;
    const figures = licenseFigures(v);
    if (figures) {
      item.monthlyUnitPrice = exact(figures.monthlyUnitPrice);
      item.marginAmount = exactOrNull(figures.marginAmount);
      item.marginPercent = exactOrNull(figures.marginPercent);
    }
  }
  if (converter) {
    const c = converter.convert(v.unitPrice, v.currency);
    item.converted = {
      currency: converter.target,
      unitPrice: exact(c.unitPrice),
      usdPerUnit: exact(c.usdPerUnit),
      fromUsdPerUnit: exact(c.fromUsdPerUnit),
      rateDate: converter.snapshot.asOf,
      source: converter.snapshot.source,
    };
  }
  return item;
}
