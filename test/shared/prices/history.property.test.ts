import fc from 'fast-check';
import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { lookupPrices } from '../../../shared/prices/lookup';
import { priceChanges } from '../../../shared/prices/changes';
import type { PriceVersion } from '../../../shared/prices/version';
import type { StorageClients } from '../../../shared/storage/clients';
import type { Settings } from '../../../shared/config/settings';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, downloadOf, ingestRequest, meterId, sheetCsv, type SheetRow } from '../../helpers/priceSheets';

/**
 * Order independence: a set of daily snapshots ingested in any order (backfills between and before
 * existing snapshots, re-ingests) gives the same answers on every date as ingesting them in date
 * order, and both agree with a small reference model of the documented rule.
 */

/** A version: meter, tier and start date (the price key is meter + tier). */
interface VersionId {
  meter: string;
  tier: string;
  start: string;
}
/** What one snapshot publishes of a version. */
interface Content {
  price: string;
  end: string;
  title: string;
}
type Snapshot = { day: string; listed: Map<number, Content> };

/**
 * Scenarios per run: a few in `npm test` (each ingests two histories into Azurite); a longer run, as
 * docs/data-model.md says: `HISTORY_PROPERTY_RUNS=200 npx jest test/shared/prices/history.property.test.ts`.
 */
const RUNS = Number(process.env.HISTORY_PROPERTY_RUNS ?? 6);

const METERS = [meterId(), meterId()];
const TIERS = ['0', '100'];
const STARTS: [string, string][] = [
  ['3/1/2018 12:00:00 AM', '2018-03-01T00:00:00.0000000Z'],
  ['11/3/2026 12:00:00 AM', '2026-11-03T00:00:00.0000000Z'],
];
const ENDS: [string, string][] = [
  ['11/30/9999 11:59:59 PM', '9999-11-30T23:59:59.0000000Z'],
  ['11/5/2026 6:00:00 AM', '2026-11-05T06:00:00.0000000Z'],
];
const UNIVERSE: VersionId[] = METERS.flatMap((meter) =>
  TIERS.flatMap((tier) => STARTS.map(([start]) => ({ meter, tier, start }))),
);
const DAYS = ['2026-11-01', '2026-11-02', '2026-11-04', '2026-11-05', '2026-11-07'];
/** Instants asked about: the start and noon of every day around the snapshots. */
const INSTANTS = ['2026-10-31', ...DAYS, '2026-11-03', '2026-11-06', '2026-11-09'].flatMap((day) => [
  `${day}T00:00:00.0000000Z`,
  `${day}T12:00:00.0000000Z`,
]);

const content = fc.record({
  price: fc.constantFrom('0.1', '0.250', '1.000140'),
  end: fc.constantFrom(...ENDS.map(([text]) => text)),
  title: fc.constantFrom('D2 v3', 'D2 v3 (renamed)'),
});
const listing = fc
  .array(fc.option(content, { nil: undefined }), { minLength: UNIVERSE.length, maxLength: UNIVERSE.length })
  .map((items) => new Map(items.flatMap((item, index) => (item ? [[index, item] as const] : []))))
  .filter((listed) => listed.size > 0);
const snapshots = fc
  .uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 4 })
  .chain((days) => fc.tuple(...days.map((day) => listing.map((listed): Snapshot => ({ day, listed })))));
/** The snapshots in date order, and another ingestion order with a few re-ingests mixed in. */
const scenario = snapshots.chain((list) => {
  const sorted = [...list].sort((a, b) => (a.day < b.day ? -1 : 1));
  const indexes = sorted.map((_, index) => index);
  return fc.record({
    sorted: fc.constant(sorted),
    order: fc.shuffledSubarray(indexes, { minLength: indexes.length, maxLength: indexes.length }),
    again: fc.array(fc.tuple(fc.nat(indexes.length - 1), fc.nat(indexes.length)), { maxLength: 2 }),
  });
});

function rowsOf(snapshot: Snapshot): SheetRow[] {
  return [...snapshot.listed].map(([index, item]) => {
    const version = UNIVERSE[index];
    return consumptionRow({
      MeterIds: version.meter,
      PricingTierRangeMin: version.tier,
      EffectiveStartDate: version.start,
      EffectiveEndDate: item.end,
      UnitPrice: item.price,
      SkuTitle: item.title,
    });
  });
}

async function ingestAll(storage: StorageClients, settings: Settings, order: Snapshot[]): Promise<void> {
  for (const snapshot of order) {
    const run = await ingestPriceSheet(
      ingestRequest(storage, settings, downloadOf(sheetCsv(rowsOf(snapshot))), {
        asOf: snapshot.day,
        allowMassRemoval: true,
      }),
    );
    if (run.outcome !== 'succeeded') throw new Error(`ingest of ${snapshot.day} ${run.outcome}: ${run.error}`);
  }
}

const described = (v: Pick<PriceVersion, 'meterId' | 'pricingTierRangeMin' | 'effectiveStartDate'>) =>
  `${v.meterId} ${v.pricingTierRangeMin} ${v.effectiveStartDate}`;
const served = (v: PriceVersion) => `${described(v)} ${v.unitPrice} ${v.effectiveEndDate} ${v.skuTitle}`;

/** Every answer the lookups give: the listing of the market and the lookup by each meter, at every instant. */
async function answers(storage: StorageClients): Promise<string[][]> {
  const base = { market: 'US', view: 'azure_consumption' as const, top: 1000 };
  const result: string[][] = [];
  for (const instant of INSTANTS) {
    result.push((await lookupPrices(storage, { ...base, instant })).versions.map(served).sort());
    for (const meter of METERS)
      result.push((await lookupPrices(storage, { ...base, instant, meterId: meter })).versions.map(served).sort());
  }
  return result;
}

/** `/api/prices/changes` between every two snapshot days. */
async function changeAnswers(storage: StorageClients, days: string[]): Promise<unknown[]> {
  const result: unknown[] = [];
  for (const from of days)
    for (const to of days) {
      if (from >= to) continue;
      const changes = await priceChanges(storage, { market: 'US', view: 'azure_consumption', from, to, top: 1000 });
      result.push({
        added: changes.added.map(served),
        removed: changes.removed.map(served),
        changed: changes.changed.map((change) => [change.before && served(change.before), served(change.after)]),
        counts: changes.counts,
      });
    }
  return result;
}

/**
 * The reference model of the documented rule: a version's content is the one the latest-dated
 * snapshot listing it published; it is in force at T when that content covers T, unless the latest
 * snapshot on or before T does not list it while an earlier one did; the overlap rule picks one
 * version per price.
 */
function modelAnswer(sorted: Snapshot[], instant: string, meter?: string): string[] {
  const toInstant = (text: string, table: [string, string][]) => table.find(([t]) => t === text)?.[1] as string;
  const inForce = new Map<string, { start: string; end: string; text: string }>();
  UNIVERSE.forEach((version, index) => {
    if (meter !== undefined && version.meter !== meter) return;
    const listing = sorted.filter((snapshot) => snapshot.listed.has(index));
    if (listing.length === 0) return;
    const published = listing[listing.length - 1].listed.get(index) as Content;
    const start = toInstant(version.start, STARTS);
    const end = toInstant(published.end, ENDS);
    if (start > instant || end < instant) return;
    const upTo = sorted.filter((snapshot) => `${snapshot.day}T00:00:00.0000000Z` <= instant);
    const dropped = upTo.some((s) => s.listed.has(index)) && !upTo[upTo.length - 1].listed.has(index);
    if (dropped) return;
    const price = `${version.meter} ${version.tier}`;
    const best = inForce.get(price);
    if (best && (best.end < end || (best.end === end && best.start > start))) return;
    const text = `${price} ${start} ${published.price} ${end} ${published.title}`;
    inForce.set(price, { start, end, text });
  });
  return [...inForce.values()].map((version) => version.text).sort();
}

function modelAnswers(sorted: Snapshot[]): string[][] {
  return INSTANTS.flatMap((instant) => [
    modelAnswer(sorted, instant),
    ...METERS.map((meter) => modelAnswer(sorted, instant, meter)),
  ]);
}

describe('price history, ingested in any order', () => {
  it(
    'answers every lookup and every change list as in-order ingestion and the reference model do',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ sorted, order, again }) => {
          const shuffled = order.map((index) => sorted[index]);
          for (const [index, position] of again) shuffled.splice(position, 0, sorted[index]);
          const inOrder = testStorage();
          const anyOrder = testStorage();
          await ingestAll(inOrder.storage, inOrder.settings, sorted);
          await ingestAll(anyOrder.storage, anyOrder.settings, shuffled);

          const expected = modelAnswers(sorted);
          expect(await answers(inOrder.storage)).toEqual(expected);
          expect(await answers(anyOrder.storage)).toEqual(expected);
          const days = sorted.map((snapshot) => snapshot.day);
          expect(await changeAnswers(anyOrder.storage, days)).toEqual(await changeAnswers(inOrder.storage, days));
        }),
        { numRuns: RUNS },
      );
    },
    60_000 + RUNS * 20_000,
  );
});
