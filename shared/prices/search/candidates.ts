import type { PriceView } from '../views';
import type { StorageClients } from '../../storage/clients';
import type { CommittedRuns } from '../tables/versions';
import { meterPartition, productPartition } from '../tables/keys';
import { derivedIndexList, indexSet } from '../tables/cachedReads';
import { INDEXED_FIELDS, termPartition, valueOfItem, valuesPartition, type IndexedField } from '../tables/searchIndex';
import type { FilterNode } from './filter';
import { fold } from './match';

/**
 * The units (tables/searchIndex.ts) that may hold a price matching a `$filter`, from the search index,
 * or null when the index cannot narrow it (then the search reads the market like a listing):
 * - `field eq 'v'` on an indexed field: the value's term (one query);
 * - `contains` / `startswith` on an indexed field: the field's distinct values (one query), the
 *   predicate evaluated over them, then the term of each matching value (one query each; more than
 *   MAX_VALUES matching values do not narrow);
 * - `meterId eq 'g'` (g not empty, views priced per meter): that meter;
 * - `and`: the intersection (either side, when the other does not narrow); `or`: the union;
 * - `ne`, and conditions on fields not indexed: no narrowing.
 * Every read is cached per committed state (tables/cachedReads.ts). The units come sorted in the
 * market's key order, so a search pages in the same order as the listing.
 */

/** Matching values beyond which a contains/startswith does not narrow (each costs a query on a cold cache). */
export const MAX_VALUES = 256;

type Units = Set<string> | null;

interface Scope {
  storage: StorageClients;
  market: string;
  view: PriceView;
  committed: CommittedRuns;
}

const isIndexed = (field: string): field is IndexedField => (INDEXED_FIELDS as readonly string[]).includes(field);

async function unitsOf(scope: Scope, node: FilterNode): Promise<Units> {
  const table = scope.storage.table(scope.storage.names.tables.priceSearch);
  const term = (field: IndexedField, folded: string) =>
    indexSet(table, termPartition(scope.market, scope.view, field, folded), scope.committed);
  switch (node.op) {
    case 'and': {
      const [left, right] = await Promise.all([unitsOf(scope, node.left), unitsOf(scope, node.right)]);
      if (left === null || right === null) return left ?? right;
      return new Set([...left].filter((unit) => right.has(unit)));
    }
    case 'or': {
      const [left, right] = await Promise.all([unitsOf(scope, node.left), unitsOf(scope, node.right)]);
      return left === null || right === null ? null : new Set([...left, ...right]);
    }
    case 'eq':
      // Rows priced per meter are read by meter; a row without one (meterId '') is not.
      if (node.field === 'meterId' && node.value !== '' && scope.view !== 'updatedlicensebased')
        return new Set([`m:${fold(node.value)}`]);
      return isIndexed(node.field) ? new Set(await term(node.field, fold(node.value))) : null;
    case 'contains':
    case 'startswith': {
      if (!isIndexed(node.field)) return null;
      const field = node.field;
      const wanted = fold(node.value);
      const values = (await indexSet(table, valuesPartition(scope.market, scope.view, field), scope.committed))
        .map(valueOfItem)
        .filter((value) => (node.op === 'contains' ? value.includes(wanted) : value.startsWith(wanted)));
      if (values.length > MAX_VALUES) return null;
      const terms = await Promise.all(values.map((value) => term(field, value)));
      return new Set(terms.flat());
    }
    default:
      return null;
  }
}

/** Where a unit's versions are stored: its partition and row key (a product partition's first), for ordering. */
export function unitKey(unit: string, market: string, view: PriceView): string {
  const id = unit.slice(2);
  if (unit.startsWith('m:')) return `${meterPartition(market, view, id)}\u0000${id}`;
  return `${productPartition(market, view, decodeURIComponent(id))}\u0000`;
}

/** Marks a filter the index cannot narrow in the cache of candidate lists. */
const NOT_NARROWED = '\u0000';

/**
 * The candidate units of a filter, sorted; cached per committed state and filter, so the pages of a
 * search and repeated searches compute them once.
 */
export async function candidateUnits(scope: Scope, filter: FilterNode): Promise<string[] | null> {
  const table = scope.storage.names.tables.priceSearch;
  const key = `${table}|${scope.market}|${scope.view}|${JSON.stringify(filter)}`;
  const units = await derivedIndexList(key, scope.committed, async () => {
    const found = await unitsOf(scope, filter);
    if (found === null) return [NOT_NARROWED];
    return [...found]
      .map((unit) => ({ unit, key: unitKey(unit, scope.market, scope.view) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ unit }) => unit);
  });
  return units.length === 1 && units[0] === NOT_NARROWED ? null : units;
}
