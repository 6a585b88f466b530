import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { lookupPrices, type LookupCursor, type PriceQuery } from '../../../shared/prices/lookup';
import type { StorageClients } from '../../../shared/storage/clients';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, downloadOf, ingestRequest, meterId, sheetCsv } from '../../helpers/priceSheets';

/** Every page of a lookup, `top` at a time. */
async function pages(storage: StorageClients, query: Omit<PriceQuery, 'cursor'>): Promise<string[][]> {
  const result: string[][] = [];
  let cursor: LookupCursor | undefined;
  do {
    const page = await lookupPrices(storage, { ...query, cursor });
    result.push(page.versions.map((version) => `${version.meterId} ${version.pricingTierRangeMin}`));
    cursor = page.next ?? undefined;
  } while (cursor);
  return result;
}

describe('price lookups', () => {
  it('a page never holds more than top items, also when a meter has several tiers', async () => {
    const { settings, storage } = testStorage();
    const tiered = meterId();
    const plain = meterId();
    const rows = [
      ...['0', '100', '1000'].map((tier) => consumptionRow({ MeterIds: tiered, PricingTierRangeMin: tier })),
      consumptionRow({ MeterIds: plain }),
    ];
    await ingestPriceSheet(ingestRequest(storage, settings, downloadOf(sheetCsv(rows))));
    const query = { market: 'US', view: 'azure_consumption' as const, instant: '2026-11-01T12:00:00.0000000Z' };

    const all = (await pages(storage, { ...query, top: 1000 })).flat();
    expect(all).toHaveLength(4);
    for (const top of [1, 2, 3]) {
      const paged = await pages(storage, { ...query, top });
      expect(paged.every((page) => page.length <= top)).toBe(true);
      expect(paged.flat()).toEqual(all);
    }
    // By meter, too.
    const byMeter = await pages(storage, { ...query, meterId: tiered, top: 1 });
    expect(byMeter).toEqual([[`${tiered} 0`], [`${tiered} 100`], [`${tiered} 1000`]]);
  });
});
