import { createHash } from 'node:crypto';
import { odata } from '../storage/sdk';
import Decimal from 'decimal.js';
import type { PriceView } from './views';
import { OPEN_ENDED_FROM, startOfDay } from '../core/dates';
import { versionInForce, type PriceVersion } from './version';
import type { StorageClients } from '../storage/clients';
import { createPool } from '../storage/pool';
import { priceKeyPrefix, versionHash } from './tables/keys';
import { marketViewRange, readVersion, type CommittedRuns } from './tables/versions';
import { committedRuns, readCommittedRuns } from './tables/committedRuns';
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
 * Partner Center's codes (docs/api.md): added = ADD, changed = CHG, removed = DEL, unchanged = UNC.
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
  counts: {
    added: number;
    removed: number;
    unchanged: number;
    candidates: number;
  } & ChangeCodeCounts;
  next: ChangesCursor | null;
  /** A digest of the compared snapshots (a cursor is only valid for the same pair). */
  identity: string;
}

/**
 * Partner Center's change codes (the pricing guide): ADD = new in the list, CHG = another list price,
 * DEL = removed from the list, UNC = unchanged. CHG counts the candidates (prices listed differently):
 * their price is only compared when a page checks them, and counting every one would read them all.
 */
export interface ChangeCodeCounts {
  ADD: number;
  CHG: number;
  DEL: number;
  UNC: number;
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
/** Point reads of versions in flight at a time. */
const READ_CONCURRENCY = 16;
/**
 * Candidates checked per round beyond the changes the page still needs: some turn out to have the
 * same price, and a few spare checks save a round of reads.
 */
const SPARE_CHECKS_PER_ROUND = 16;
/** The most candidates checked in one round, to bound the reads started at once. */
const MAX_CHECKS_PER_ROUND = 200;
/** Characters of a comparison's identity: 132 bits in base64url. */
const IDENTITY_CHARS = 22;

/** What a snapshot lists of one price, in a few numbers. */
interface Digest {
  versions: number;
  /** Order-independent digest of the listed versions (row key + content hash), two XORed 32-bit words. */
  xorHigh: number;
  xorLow: number;
  /** Future list: versions with an EffectiveEndDate before year 9999. */
  ending: number;
}

/** Row key without its last part (the effective start date): the same for every version of one price. */
const priceIdOf = (line: ManifestLine) => versionHash(line.partitionKey, priceKeyPrefix(line.rowKey));

/** The digest of every price the snapshot lists, by price id. */
async function digests(
  storage: StorageClients,
  snapshot: SnapshotRecord,
  ending?: Set<string>,
): Promise<Map<string, Digest>> {
  const result = new Map<string, Digest>();
  for await (const line of readManifest(storage, snapshot.manifest)) {
    const id = priceIdOf(line);
    const hash = createHash('sha1').update(line.rowKey).update('\t').update(line.contentHash).digest();
    let digest = result.get(id);
    if (!digest) result.set(id, (digest = { versions: 0, xorHigh: 0, xorLow: 0, ending: 0 }));
    digest.versions++;
    digest.xorHigh ^= hash.readUInt32BE(0);
    digest.xorLow ^= hash.readUInt32BE(4);
    if (ending?.has(versionHash(line.partitionKey, line.rowKey))) digest.ending++;
  }
  return result;
}

/**
 * Versions of the market and view whose EffectiveEndDate is not open-ended: one filtered read of the
 * range. Future lists exist for license-based sheets only, whose versions are entities of their own.
 */
async function endingVersions(storage: StorageClients, market: string, view: PriceView): Promise<Set<string>> {
  const range = marketViewRange(market, view);
  const inRange = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`;
  const filter = `${inRange} and ${odata`effectiveEndDate lt ${OPEN_ENDED_FROM}`}`;
  const ids = new Set<string>();
  const table = storage.table(storage.names.tables.prices);
  for await (const entity of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter, select: ['PartitionKey', 'RowKey'] },
  })) {
    ids.add(versionHash(entity.partitionKey as string, entity.rowKey as string));
  }
  return ids;
}

/** The manifest lines of the wanted prices, by price id. */
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

/** The row key a manifest lists a version under: the price's row-key prefix plus the version's start date. */
const rowKeyOf = (line: ManifestLine, version: PriceVersion) =>
  `${priceKeyPrefix(line.rowKey)}${encodeURIComponent(version.effectiveStartDate)}`;

const samePrice = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : new Decimal(a).equals(b);

type Change = PriceChanges['changed'][number];

/** `compared`: the snapshots compared, when the caller has read them already (comparedSnapshots). */
export async function priceChanges(
  storage: StorageClients,
  query: ChangesQuery,
  compared?: ComparedSnapshots,
): Promise<PriceChanges> {
  const future = query.to === 'future';
  const { before, after } = compared ?? (await comparedSnapshots(storage, query));
  const ending = future ? await endingVersions(storage, query.market, query.view) : undefined;
  const [was, is] = await Promise.all([digests(storage, before), digests(storage, after, ending)]);
  const lists = comparePrices(was, is, future);

  const cursor = query.cursor ?? { added: 0, changed: 0, removed: 0 };
  const addedPage = lists.added.slice(cursor.added, cursor.added + query.top);
  const removedPage = lists.removed.slice(cursor.removed, cursor.removed + query.top);
  const checking = lists.candidates.slice(cursor.changed, cursor.changed + CHECK_LIMIT);
  const [linesBefore, linesAfter] = await Promise.all([
    linesOf(storage, before, new Set([...(future ? [] : removedPage), ...checking])),
    linesOf(storage, after, new Set([...addedPage, ...(future ? removedPage : []), ...checking])),
  ]);

  const read = versionReader(storage, await runsCommitting(storage, query, [before, after]));
  const afterDay = future ? null : query.to;
  const { changed, checked } = await changedPrices(checking, query.top, (id) =>
    candidateChange(read, linesBefore.get(id), linesAfter.get(id), query.from, afterDay),
  );
  // A deleted future price is reported as the future list has it; a removed price as `from` listed it.
  const removedFrom = future ? { lines: linesAfter, day: null } : { lines: linesBefore, day: query.from };
  const [addedVersions, removedVersions] = await Promise.all([
    Promise.all(addedPage.map(async (id) => listedInForce(await read(linesAfter.get(id)), afterDay))),
    Promise.all(removedPage.map(async (id) => listedInForce(await read(removedFrom.lines.get(id)), removedFrom.day))),
  ]);

  const next = {
    added: cursor.added + addedPage.length,
    changed: cursor.changed + checked,
    removed: cursor.removed + removedPage.length,
  };
  const more =
    next.added < lists.added.length || next.changed < lists.candidates.length || next.removed < lists.removed.length;
  return {
    snapshots: { from: before.asOf, to: after.asOf },
    added: addedVersions,
    changed,
    removed: removedVersions,
    counts: {
      added: lists.added.length,
      removed: lists.removed.length,
      unchanged: lists.unchanged,
      candidates: lists.candidates.length,
      ADD: lists.added.length,
      CHG: lists.candidates.length,
      DEL: lists.removed.length,
      UNC: lists.unchanged,
    },
    next: more ? next : null,
    identity: snapshotPairIdentity(before, after),
  };
}

/** The snapshots compared: the current one in force on `from`, and the one of `to` (or the future list). */
export interface ComparedSnapshots {
  before: SnapshotRecord;
  after: SnapshotRecord;
}

export async function comparedSnapshots(
  storage: StorageClients,
  query: Pick<ChangesQuery, 'market' | 'view' | 'from' | 'to'>,
): Promise<ComparedSnapshots> {
  const future = query.to === 'future';
  const base = { market: query.market, view: query.view };
  const before = await snapshotOnOrBefore(storage, { ...base, timeline: 'current', asOf: query.from });
  if (!before)
    throw new SnapshotNotFoundError(
      'from',
      `no ${query.market}/${query.view} price snapshot on or before ${query.from}`,
    );
  const after = await snapshotOnOrBefore(storage, {
    ...base,
    timeline: future ? 'future' : 'current',
    asOf: future ? query.from : query.to,
  });
  if (!after) {
    throw new SnapshotNotFoundError(
      'to',
      future
        ? `no future ${query.market}/${query.view} price list fetched on or before ${query.from}`
        : `no ${query.market}/${query.view} price snapshot on or before ${query.to}`,
    );
  }
  return { before, after };
}

/** Price ids by change type, each list sorted (the order pages are cut in), and the number unchanged. */
function comparePrices(
  was: Map<string, Digest>,
  is: Map<string, Digest>,
  future: boolean,
): { added: string[]; removed: string[]; candidates: string[]; unchanged: number } {
  const added: string[] = [];
  const removed: string[] = [];
  const candidates: string[] = [];
  let unchanged = 0;
  for (const [id, digest] of is) {
    const old = was.get(id);
    if (future && digest.ending === digest.versions) removed.push(id);
    else if (!old) added.push(id);
    else if (old.xorHigh !== digest.xorHigh || old.xorLow !== digest.xorLow || old.versions !== digest.versions)
      candidates.push(id);
    else unchanged++;
  }
  if (future) unchanged += [...was.keys()].filter((id) => !is.has(id)).length;
  else for (const id of was.keys()) if (!is.has(id)) removed.push(id);
  for (const list of [added, removed, candidates]) list.sort();
  return { added, removed, candidates, unchanged };
}

type VersionReader = (lines?: ManifestLine[]) => Promise<PriceVersion[]>;

/**
 * The committed runs, including those of the compared snapshots: the briefly cached set may predate
 * a snapshot committed by another process since.
 */
async function runsCommitting(
  storage: StorageClients,
  query: ChangesQuery,
  snapshots: SnapshotRecord[],
): Promise<CommittedRuns> {
  const cached = await committedRuns(storage, query.market, query.view);
  if (snapshots.every((snapshot) => cached.has(snapshot.runId))) return cached;
  return readCommittedRuns(storage, query.market, query.view);
}

/** Point reads of listed versions, READ_CONCURRENCY at a time. */
function versionReader(storage: StorageClients, committed: CommittedRuns): VersionReader {
  const table = storage.table(storage.names.tables.prices);
  const pool = createPool(READ_CONCURRENCY);
  // Manifest membership says what was listed; the entity's listing points do not apply here.
  return (lines = []) =>
    Promise.all(
      lines.map((line) =>
        pool.run(async () => {
          const version = await readVersion(table, line.partitionKey, line.rowKey, committed);
          if (!version) throw new Error(`snapshot lists ${line.partitionKey} ${line.rowKey}, which is not stored`);
          return { ...version, listing: [] };
        }),
      ),
    );
}

/** The version in force on the day among those listed; for a future list (day null), its newest version. */
function listedInForce(versions: PriceVersion[], day: string | null): PriceVersion {
  const instant = day
    ? startOfDay(day)
    : versions.reduce(
        (newest, version) => (version.effectiveStartDate > newest ? version.effectiveStartDate : newest),
        '',
      );
  return (
    versionInForce(versions, instant) ??
    versions.reduce((newest, version) => (version.effectiveStartDate > newest.effectiveStartDate ? version : newest))
  );
}

/**
 * Checks candidates in order, a round of parallel reads at a time, until `top` changes are found
 * or the candidates run out; returns the changes and how many candidates were checked.
 */
async function changedPrices(
  candidates: string[],
  top: number,
  changeOf: (id: string) => Promise<Change | null>,
): Promise<{ changed: Change[]; checked: number }> {
  const changed: Change[] = [];
  let checked = 0;
  while (checked < candidates.length && changed.length < top) {
    const roundSize = Math.min(top - changed.length + SPARE_CHECKS_PER_ROUND, MAX_CHECKS_PER_ROUND);
    const round = candidates.slice(checked, checked + roundSize);
    const results = await Promise.all(round.map(changeOf));
    for (const change of results) {
      checked++;
      if (change) changed.push(change);
      if (changed.length === top) break;
    }
  }
  return { changed, checked };
}

/** How a candidate price changed between its listings; null when the price in force is the same. */
async function candidateChange(
  read: VersionReader,
  linesBefore: ManifestLine[] | undefined,
  linesAfter: ManifestLine[] | undefined,
  fromDay: string,
  afterDay: string | null,
): Promise<Change | null> {
  const [old, now] = await Promise.all([read(linesBefore), read(linesAfter)]);
  const before = listedInForce(old, fromDay);
  const after = listedInForce(now, afterDay);
  // The same version republished with other content: the table keeps only its latest content,
  // so what it said before is unknown (reported with before = null).
  if (
    before.effectiveStartDate === after.effectiveStartDate &&
    listedContentHash(linesBefore, before) !== listedContentHash(linesAfter, after)
  )
    return { before: null, after };
  if (samePrice(before.unitPrice, after.unitPrice) && samePrice(before.erpPrice, after.erpPrice)) return null;
  return { before, after };
}

/** The content hash a manifest lists for the version. */
const listedContentHash = (lines: ManifestLine[] | undefined, version: PriceVersion) =>
  lines?.find((line) => line.rowKey === rowKeyOf(line, version))?.contentHash;

/** A digest of the compared snapshots: a continuation token is only valid for the same pair. */
function snapshotPairIdentity(before: SnapshotRecord, after: SnapshotRecord): string {
  return createHash('sha256')
    .update([before.manifest, before.sha256, before.runId, after.manifest, after.sha256, after.runId].join('\n'))
    .digest('base64url')
    .slice(0, IDENTITY_CHARS);
}
