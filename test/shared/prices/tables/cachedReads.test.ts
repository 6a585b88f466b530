import { meterVersions, committedSignature } from '../../../../shared/prices/tables/cachedReads';
import { committedRuns } from '../../../../shared/prices/tables/committedRuns';
import { testStorage } from '../../../helpers/storage';
import { consumptionRow, meterId } from '../../../helpers/priceSheets';
import { ingestSheet } from '../../../helpers/apiFixtures';

describe('cached reads of committed data', () => {
  const { settings, storage } = testStorage();
  const meter = meterId(0xc0ffee);
  const read = async () => {
    const table = storage.table(storage.names.tables.prices);
    const committed = await committedRuns(storage, 'US', 'azure_consumption');
    return meterVersions(table, { market: 'US', view: 'azure_consumption', meterId: meter }, committed);
  };

  it('shares one read under the same committed runs, and reads again once a run commits', async () => {
    await ingestSheet(storage, settings, [consumptionRow({ MeterIds: meter, UnitPrice: '1.10' })], {
      asOf: '2026-11-01',
    });
    const [first, second] = await Promise.all([read(), read()]);
    expect(first).toBe(second);
    expect(first.map((v) => v.unitPrice)).toEqual(['1.10']);
    // A new price from the 2nd: the commit is a new set of runs, so the cached versions are not used.
    await ingestSheet(
      storage,
      settings,
      [consumptionRow({ MeterIds: meter, UnitPrice: '1.20', EffectiveStartDate: '11/2/2026 12:00:00 AM' })],
      { asOf: '2026-11-02' },
    );
    const after = await read();
    expect(after).not.toBe(first);
    expect(after.map((v) => v.unitPrice).sort()).toEqual(['1.10', '1.20']);
  });

  it('names a set of runs by its content, whatever the order of its runs', () => {
    expect(committedSignature(new Set(['a', 'b']))).toBe(committedSignature(new Set(['b', 'a'])));
    expect(committedSignature(new Set(['a', 'b']))).not.toBe(committedSignature(new Set(['a'])));
    // A reader that is not a set (e.g. "everything as written") is not cached.
    expect(committedSignature({ has: () => true })).toBeNull();
  });
});
