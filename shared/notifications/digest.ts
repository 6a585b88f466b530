import Decimal from 'decimal.js';
import { DateTime } from 'luxon';
import {
  listSnapshots,
  priceChanges,
  SnapshotNotFoundError,
  type ChangesCursor,
  type PriceVersion,
  type SnapshotRecord,
} from '../prices';
import type { StorageClients } from '../storage/clients';
import { matches, wantsSnapshot, type ChangedPrice } from './matching';
import type { Subscription } from './subscription';

/**
 * A subscription's daily digest (docs/api.md#digests): for each market and view it wants that has a
 * snapshot as of the day, the changes against the snapshot before it, through the subscription's
 * filters — counts by code, the largest increases and decreases (in percent, decimals), new and
 * removed prices — and for license-based lists the changes of the preview (future) list, which take
 * effect next month. Rendering is digestRender.ts.
 */

/** Rows of each list shown; the counts cover every change. */
const DIGEST_LIST_LIMIT = 10;
const CHANGES_PAGE = 2000;

export interface DigestRow {
  productTitle: string;
  skuTitle: string;
  productId: string;
  skuId: string;
  meterId: string;
  currency: string;
  before: string | null;
  after: string | null;
  /** Change of the unit price in percent of the old one (2 decimals), when both are known. */
  percent: string | null;
  effectiveStartDate: string;
}

export interface DigestCounts {
  ADD: number;
  CHG: number;
  DEL: number;
}

export interface DigestSection {
  market: string;
  view: string;
  snapshots: { before: string; after: string };
  counts: DigestCounts;
  increases: DigestRow[];
  decreases: DigestRow[];
  added: DigestRow[];
  removed: DigestRow[];
  /** License-based lists: the preview list's changes, in force from next month. */
  preview: { fetched: string; counts: DigestCounts; items: (DigestRow & { code: keyof DigestCounts })[] } | null;
}

export interface Digest {
  subscriptionId: string;
  name: string;
  day: string;
  sections: DigestSection[];
}

function rowOf(change: ChangedPrice): DigestRow {
  const price = (change.after ?? change.before) as PriceVersion;
  const before = change.before?.unitPrice ?? null;
  const after = change.after?.unitPrice ?? null;
  const percent =
    change.code === 'CHG' && before !== null && after !== null && !new Decimal(before).isZero()
      ? new Decimal(after).minus(before).div(before).times(100).toDecimalPlaces(2).toFixed(2)
      : null;
  return {
    productTitle: price.productTitle,
    skuTitle: price.skuTitle,
    productId: price.productId,
    skuId: price.skuId,
    meterId: price.meterId,
    currency: price.currency,
    before: change.code === 'ADD' ? null : before,
    after: change.code === 'DEL' ? null : after,
    percent,
    effectiveStartDate: price.effectiveStartDate,
  };
}

/** Every change between two lists that the filters let through, page by page. */
async function* filteredChanges(
  storage: StorageClients,
  subscription: Subscription,
  q: { market: string; view: SnapshotRecord['view']; from: string; to: string },
): AsyncGenerator<ChangedPrice> {
  let cursor: ChangesCursor | undefined;
  do {
    const changes = await priceChanges(storage, { ...q, top: CHANGES_PAGE, cursor });
    const items: ChangedPrice[] = [
      ...changes.added.map((after) => ({ code: 'ADD' as const, before: null, after })),
      ...changes.changed.map((c) => ({ code: 'CHG' as const, before: c.before, after: c.after })),
      ...changes.removed.map((before) => ({ code: 'DEL' as const, before, after: null })),
    ];
    for (const item of items) if (matches(subscription.filters, item)) yield item;
    cursor = changes.next ?? undefined;
  } while (cursor);
}

/** Keeps the `limit` rows with the largest |percent|. */
function keepLargest(rows: DigestRow[], row: DigestRow, limit: number): void {
  rows.push(row);
  rows.sort(
    (a, b) => new Decimal(b.percent!).abs().cmp(new Decimal(a.percent!).abs()) || a.meterId.localeCompare(b.meterId),
  );
  if (rows.length > limit) rows.pop();
}

async function section(
  storage: StorageClients,
  subscription: Subscription,
  before: SnapshotRecord,
  after: SnapshotRecord,
): Promise<DigestSection> {
  const result: DigestSection = {
    market: after.market,
    view: after.view,
    snapshots: { before: before.asOf, after: after.asOf },
    counts: { ADD: 0, CHG: 0, DEL: 0 },
    increases: [],
    decreases: [],
    added: [],
    removed: [],
    preview: null,
  };
  const q = { market: after.market, view: after.view, from: before.asOf, to: after.asOf };
  for await (const change of filteredChanges(storage, subscription, q)) {
    result.counts[change.code]++;
    const row = rowOf(change);
    if (change.code === 'ADD' && result.added.length < DIGEST_LIST_LIMIT) result.added.push(row);
    if (change.code === 'DEL' && result.removed.length < DIGEST_LIST_LIMIT) result.removed.push(row);
    if (row.percent !== null && new Decimal(row.percent).gt(0)) keepLargest(result.increases, row, DIGEST_LIST_LIMIT);
    if (row.percent !== null && new Decimal(row.percent).lt(0)) keepLargest(result.decreases, row, DIGEST_LIST_LIMIT);
  }
  if (after.view === 'updatedlicensebased') result.preview = await preview(storage, subscription, after);
  return result;
}

/** The preview list fetched on or before the day against the current list of the day. */
async function preview(
  storage: StorageClients,
  subscription: Subscription,
  current: SnapshotRecord,
): Promise<DigestSection['preview']> {
  const counts: DigestCounts = { ADD: 0, CHG: 0, DEL: 0 };
  const items: (DigestRow & { code: keyof DigestCounts })[] = [];
  const q = { market: current.market, view: current.view, from: current.asOf, to: 'future' };
  try {
    for await (const change of filteredChanges(storage, subscription, q)) {
      counts[change.code]++;
      if (items.length < DIGEST_LIST_LIMIT) items.push({ code: change.code, ...rowOf(change) });
    }
  } catch (e) {
    // No preview list fetched: nothing announced to show.
    if (e instanceof SnapshotNotFoundError) return null;
    throw e;
  }
  return { fetched: current.asOf, counts, items };
}

/** The digest of the day (UTC) for the subscription; sections only for lists with a snapshot as of that day. */
export async function buildDigest(storage: StorageClients, subscription: Subscription, day: string): Promise<Digest> {
  const previousDay = DateTime.fromISO(day, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;
  const byList = new Map<string, SnapshotRecord[]>();
  for (const snapshot of await listSnapshots(storage, 'current')) {
    if (!wantsSnapshot(subscription.filters, snapshot.market, snapshot.view)) continue;
    const key = `${snapshot.market}|${snapshot.view}`;
    byList.set(key, [...(byList.get(key) ?? []), snapshot]);
  }
  const sections: DigestSection[] = [];
  for (const key of [...byList.keys()].sort()) {
    const list = byList.get(key)!.sort((a, b) => a.asOf.localeCompare(b.asOf));
    const after = list.find((s) => s.asOf === day);
    const before = [...list].reverse().find((s) => s.asOf <= previousDay);
    if (after && before) sections.push(await section(storage, subscription, before, after));
  }
  return { subscriptionId: subscription.id, name: subscription.name, day, sections };
}
