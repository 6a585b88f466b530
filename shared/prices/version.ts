import type { PriceRow } from './row';
import { PRICE_KEY_FIELDS } from './row';
import { listedAt, type ListingPoint } from './listing';

/** A stored version of a price: a row as published, plus where the snapshots started and stopped listing it. */
export type PriceVersion = PriceRow & {
  /** Change points of its listing (see listing.ts); empty: nothing dropped it. */
  listing: ListingPoint[];
};

/** Identifies a price across its versions (all key fields, not its dates or values). */
export function priceKeyOf(row: PriceRow): string {
  return PRICE_KEY_FIELDS.map((f) => row[f] ?? '').join('\u0001');
}

function covers(version: PriceVersion, instant: string): boolean {
  if (version.effectiveStartDate > instant || version.effectiveEndDate < instant) return false;
  return listedAt(version.listing, instant);
}

/**
 * The pricing guide's overlap rule: among the versions of one price that cover the instant, the
 * one that ends first wins (2 Nov → the row ending 3 Nov; 4 Nov → the open-ended one); with equal
 * ends, the one that started last. Instants are normalized strings, so string order is time order.
 */
export function versionInForce(versions: readonly PriceVersion[], instant: string): PriceVersion | null {
  let best: PriceVersion | null = null;
  for (const v of versions) {
    if (!covers(v, instant)) continue;
    if (
      best === null ||
      v.effectiveEndDate < best.effectiveEndDate ||
      (v.effectiveEndDate === best.effectiveEndDate && v.effectiveStartDate > best.effectiveStartDate)
    ) {
      best = v;
    }
  }
  return best;
}

/** For each price among the versions, the version in force at the instant (input order of first appearance). */
export function pricesInForce(versions: readonly PriceVersion[], instant: string): PriceVersion[] {
  const byKey = new Map<string, PriceVersion[]>();
  for (const v of versions) {
    const key = priceKeyOf(v);
    const group = byKey.get(key);
    if (group) group.push(v);
    else byKey.set(key, [v]);
  }
  const result: PriceVersion[] = [];
  for (const group of byKey.values()) {
    const chosen = versionInForce(group, instant);
    if (chosen) result.push(chosen);
  }
  return result;
}
