import { createHash } from 'node:crypto';
import { odata } from '@azure/data-tables';
import Decimal from 'decimal.js';
import type { PriceView } from './views';
import { OPEN_ENDED_FROM, startOfDay } from '../core/dates';
import { versionInForce, type PriceVersion } from './version';
import type { StorageClients } from '../storage/clients';
import { createPool } from '../storage/pool';
import { versionHash } from './tables/keys';
import { marketViewRange, readVersion } from './tables/versions';
import { readManifest, snapshotOnOrBefore, type ManifestLine, type SnapshotRecord } from './tables/snapshots';

/**
 * What changed between two price lists, from the snapshots' manifests (which versions each listed)
 * and point reads of only the versions reported:
 * - two dates: the current snapshots in force on `from` and on `to`. Added = a price listed on `to`
 *   only, removed = on `from` only, changed = listed on both with another price in force.
 * - `to` = future: the current snapshot in force on `from` against the future price list fetched on
 *   or before `from` (the pricing guide's change types): new = in the future list only; changed =
 *   in both with another price (a new EffectiveStartDate); deleted (reported as removed) = a future
 *   price whose every listed version has an EffectiveEndDate (not open-ended, year 9999) — the end of
 *   its availability; unchanged = not in the future list, or listed the same.
 * A price is the row key without its effective start date (plus the partition). The manifests are
 * streamed: memory holds a small digest per price, not the rows. Each list is paged by `top`;
 * "changed" candidates (prices listed differently) are checked in order, at most CHECK_LIMIT per page.
 */

export interface ChangesQuery {
  market: string;
  view: PriceView;
  from: string;
  /** A day YYYY-MM-DD, or `future` for the preview list. */
  to: string;
  top: number;
  cursor?: ChangesCursor;
}

/** Positions in the added, candidate and removed lists. */
export interface ChangesCursor {
  added: number;
  changed: number;
  removed: number;
}

export interface PriceChanges {
  snapshots: { from: string; to: string };
  added: PriceVersion[];
  changed: { before: PriceVersion | null; after: PriceVersion }[];
  removed: PriceVersion[];
  counts: { added: number; removed: number; unchanged: number; candidates: number };
  next: ChangesCursor | null;
  /** A digest of the compared snapshots (a cursor is only valid for the same pair). */
  identity: string;
}

export class SnapshotNotFoundError extends Error {
  constructor(
    readonly parameter: 'from' | 'to',
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotNotFoundError';
  }
}

/** Candidate prices checked for a price change per page (each costs a few point reads). */
export const CHECK_LIMIT = 2000;
const READ_CONCURRENCY = 16;

interface Digest {
  versions: number;
  /** Order-independent digest of the listed versions (row key + content hash), two XORed 32-bit words. */
  a: number;
  b: number;
  /** Future list: versions with an EffectiveEndDate before year 9999. */
  ending: number;
}

const keyPrefixOf = (rowKey: string) => rowKey.slice(0, rowKey.lastIndexOf('|') + 1);
const priceIdOf = (line: ManifestLine) => versionHash(line.partitionKey, keyPrefixOf(line.rowKey));

async function digests(
  storage: StorageClients,
  snapshot: SnapshotRecord,
  ending?: Set<string>,
): Promise<Map<string, Digest>> {
  const result = new Map<string, Digest>();
  for await (const line of readManifest(storage, snapshot.manifest)) {
    const id = priceIdOf(line);
    const h = createHash('sha1').update(line.rowKey).update('\t').update(line.contentHash).digest();
    let d = result.get(id);
    if (!d) result.set(id, (d = { versions: 0, a: 0, b: 0, ending: 0 }));
    d.versions++;
    d.a ^= h.readUInt32BE(0);
    d.b ^= h.readUInt32BE(4);
    if (ending?.has(versionHash(line.partitionKey, line.rowKey))) d.ending++;
  }
  return result;
}

/**
 * Versions of the market and view whose EffectiveEndDate is not open-ended: one filtered read of the
 * range. Future lists exist for license-based sheets only, whose versions are entities of their own.
 */
async function endingVersions(storage: StorageClients, market: string, view: PriceView): Promise<Set<string>> {
  const range = marketViewRange(market, view);
  const filter = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to} and effectiveEndDate lt ${OPEN_ENDED_FROM}`;
  const ids = new Set<string>();
  const table = storage.table(storage.names.tables.prices);
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter, select: ['PartitionKey', 'RowKey'] },
  })) {
    ids.add(versionHash(e.partitionKey as string, e.rowKey as string));
  }
  return ids;
}

async function linesOf(
  storage: StorageClients,
  snapshot: SnapshotRecord,
  wanted: Set<string>,
): Promise<Map<string, ManifestLine[]>> {
  const result = new Map<string, ManifestLine[]>();
  if (wanted.size === 0) return result;
  for await (const line of readManifest(storage, snapshot.manifest)) {
    const id = priceIdOf(line);
    if (!wanted.has(id)) continue;
    const list = result.get(id);
    if (list) list.push(line);
    else result.set(id, [line]);
  }
  return result;
}

/** The manifest line of a version read from the table: the price's row-key prefix plus the version's start date. */
const rowKeyOf = (line: ManifestLine, v: PriceVersion) =>
  `${keyPrefixOf(line.rowKey)}${encodeURIComponent(v.effectiveStartDate)}`;

const samePrice = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : new Decimal(a).equals(b);

export async function priceChanges(storage: StorageClients, q: ChangesQuery): Promise<PriceChanges> {
  const future = q.to === 'future';
  const base = { market: q.market, view: q.view };
  const before = await snapshotOnOrBefore(storage, { ...base, timeline: 'current', asOf: q.from });
  if (!before)
    throw new SnapshotNotFoundError('from', `no ${q.market}/${q.view} price snapshot on or before ${q.from}`);
  const after = await snapshotOnOrBefore(storage, {
    ...base,
    timeline: future ? 'future' : 'current',
    asOf: future ? q.from : q.to,
  });
  if (!after) {
    throw new SnapshotNotFoundError(
      'to',
      future
        ? `no future ${q.market}/${q.view} price list fetched on or before ${q.from}`
        : `no ${q.market}/${q.view} price snapshot on or before ${q.to}`,
    );
  }

  const ending = future ? await endingVersions(storage, q.market, q.view) : undefined;
  const [was, is] = await Promise.all([digests(storage, before), digests(storage, after, ending)]);
  const added: string[] = [];
  const removed: string[] = [];
  const candidates: string[] = [];
  let unchanged = 0;
  for (const [id, d] of is) {
    const old = was.get(id);
    if (future && d.ending === d.versions) removed.push(id);
    else if (!old) added.push(id);
    else if (old.a !== d.a || old.b !== d.b || old.versions !== d.versions) candidates.push(id);
    else unchanged++;
  }
  if (future) unchanged += [...was.keys()].filter((id) => !is.has(id)).length;
  else for (const id of was.keys()) if (!is.has(id)) removed.push(id);
  for (const list of [added, removed, candidates]) list.sort();

  const cursor = q.cursor ?? { added: 0, changed: 0, removed: 0 };
  const addedPage = added.slice(cursor.added, cursor.added + q.top);
  const removedPage = removed.slice(cursor.removed, cursor.removed + q.top);
  const checking = candidates.slice(cursor.changed, cursor.changed + CHECK_LIMIT);
  const [linesBefore, linesAfter] = await Promise.all([
    linesOf(storage, before, new Set([...(future ? [] : removedPage), ...checking])),
    linesOf(storage, after, new Set([...addedPage, ...(future ? removedPage : []), ...checking])),
  ]);

  const table = storage.table(storage.names.tables.prices);
  const pool = createPool(READ_CONCURRENCY);
  // Manifest membership says what was listed; a later removal mark on the entity does not apply here.
  const read = (lines: ManifestLine[] = []) =>
    Promise.all(
      lines.map((l) =>
        pool.run(async () => {
          const version = await readVersion(table, l.partitionKey, l.rowKey);
          if (!version) throw new Error(`snapshot lists ${l.partitionKey} ${l.rowKey}, which is not stored`);
          return { ...version, removedAsOf: null };
        }),
      ),
    );
  const instantOf = (day: string) => startOfDay(day);
  /** The version in force on the day among those listed; for a future list, its newest version. */
  const listedInForce = (versions: PriceVersion[], day: string | null): PriceVersion => {
    const instant = day
      ? instantOf(day)
      : versions.reduce((m, v) => (v.effectiveStartDate > m ? v.effectiveStartDate : m), '');
    return (
      versionInForce(versions, instant) ??
      versions.reduce((a, b) => (b.effectiveStartDate > a.effectiveStartDate ? b : a))
    );
  };
  const afterDay = future ? null : q.to;

  const changed: PriceChanges['changed'] = [];
  let checked = 0;
  for (; checked < checking.length && changed.length < q.top;) {
    const batch = checking.slice(checked, checked + Math.min(q.top - changed.length + 16, 200));
    const results = await Promise.all(
      batch.map(async (id) => {
        const [old, now] = await Promise.all([read(linesBefore.get(id)), read(linesAfter.get(id))]);
        const b = listedInForce(old, q.from);
        const a = listedInForce(now, afterDay);
        // The same version republished with other content: the table keeps only its latest content,
        // so what it said before is unknown (reported with before = null).
        const hashOn = (lines: ManifestLine[] | undefined, v: PriceVersion) =>
          lines?.find((l) => l.rowKey === rowKeyOf(l, v))?.contentHash;
        if (
          b.effectiveStartDate === a.effectiveStartDate &&
          hashOn(linesBefore.get(id), b) !== hashOn(linesAfter.get(id), a)
        )
          return { before: null, after: a };
        if (samePrice(b.unitPrice, a.unitPrice) && samePrice(b.erpPrice, a.erpPrice)) return null;
        return { before: b, after: a };
      }),
    );
    for (const r of results) {
      checked++;
      if (r) changed.push(r);
      if (changed.length === q.top) break;
    }
  }

  const [addedVersions, removedVersions] = await Promise.all([
    Promise.all(addedPage.map(async (id) => listedInForce(await read(linesAfter.get(id)), afterDay))),
    Promise.all(
      removedPage.map(async (id) =>
        listedInForce(await read((future ? linesAfter : linesBefore).get(id)), future ? null : q.from),
      ),
    ),
  ]);

  const next = {
    added: cursor.added + addedPage.length,
    changed: cursor.changed + checked,
    removed: cursor.removed + removedPage.length,
  };
  const more = next.added < added.length || next.changed < candidates.length || next.removed < removed.length;
  return {
    snapshots: { from: before.asOf, to: after.asOf },
    added: addedVersions,
    changed,
    removed: removedVersions,
    counts: { added: added.length, removed: removed.length, unchanged, candidates: candidates.length },
    next: more ? next : null,
    identity: createHash('sha256')
      .update([before.manifest, before.sha256, before.runId, after.manifest, after.sha256, after.runId].join('\n'))
      .digest('base64url')
      .slice(0, 22),
  };
}
