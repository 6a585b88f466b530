import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PriceView } from './views';
import { createBatchWriter, type BatchWriter } from '../storage/batchWriter';
import type { StorageClients } from '../storage/clients';
import { createPool, type Pool } from '../storage/pool';
import { ifFound } from '../storage/errors';
import {
  entityOf,
  isMeterDocPartition,
  meterDocEntity,
  meterDocRowKey,
  readMeterDoc,
  visibleVersionOfEntity,
  type CommittedRuns,
} from './tables/versions';
import { changedVersion, sameVersion, type VersionChange } from './tables/versionChange';
import { addProductMeter, mergeProductMeters, type ProductMeters } from './tables/productIndex';
import { hasSearchIndex, searchLine, storedSearchEntries } from './tables/searchIndex';
import { writeSearchIndex } from './searchWrites';
import { appendLine, closeSpool, openSpool, spooledLines, type SpoolFile } from '../files/spool';

/**
 * The write half of an ingest. Changes are spooled to temporary files while the sheet is read (so
 * nothing is published before the whole file has been judged), then written:
 * - version entities (rows without a meter): each read (when the market and view have data) and
 *   written in transactions of ≤100 per partition when the change alters it;
 * - meter documents partition by partition: one spool file per partition groups the changed
 *   versions of each meter, the stored document is merged with them (read only when the market and
 *   view have data already), and the documents that differ go out as ≤100-entity transactions. One
 *   partition at a time keeps memory flat for any sheet size;
 * - the product → meter index, from the added meters (sheets list a product's rows together, so
 *   flushing every few hundred products writes each product about once);
 * - the search index, from the rows whose content the base snapshot does not list (and, once, from
 *   every stored version when the market and view have data but no index yet): see searchWrites.ts.
 * The three do not depend on each other, so they are written side by side, each waiting out its round
 * trips while the others' requests are served: one after another, the search index's merges (a read
 * and a write each) took 13 s of the 20 s of a 50,000-row cold ingest's writes at a 5 ms round trip.
 */

export interface ChangeWriter {
  /**
   * A version to revisit: its listing points and, when the sheet lists it, the content it takes from
   * the sheet as JSON (AcceptedLine.content), spooled as a VersionChange.
   */
  change(partitionKey: string, rowKey: string, points: VersionChange['points'], content?: string): Promise<void>;
  /** A meter this sheet adds to a product's index: its line (meterIndexLine). */
  indexMeter(line: string): Promise<void>;
  /** A row's unit and indexed values for the search index: its line (searchLine). */
  indexSearch(line: string): Promise<void>;
  /** Writes everything spooled; returns the number of entities written. */
  commit(onProgress: (done: number) => void): Promise<number>;
}

export interface ChangeWriterOptions {
  storage: StorageClients;
  tmpDir: string;
  market: string;
  view: PriceView;
  concurrency: number;
  /** The sheet's day: the day its content is published on (StoredVersion.contentAsOf). */
  asOf: string;
  /** False when the market and view hold no data yet: nothing stored need be read before writing. */
  mergeStored: boolean;
  /** This run: its writes are pending states tagged with it (see tables/versions.ts, committed reads). */
  runId: string;
  /** The committed runs: whose pending states are the stored state this run builds on. */
  committed: CommittedRuns;
}

/** Products gathered before their index entries are merged and written. */
const PRODUCTS_PER_INDEX_FLUSH = 200;
/** Versions written between progress reports. */
const PROGRESS_EVERY = 5000;
/** Hex digits of a partition's digest in its spool file's name: 64 bits tell a run's partitions apart. */
const PARTITION_FILE_DIGITS = 16;
/** Version entities read at a time before their writes are queued (bounds memory). */
const ENTITY_READ_CHUNK = 500;

type Table = ReturnType<StorageClients['table']>;
type Run = <T>(task: () => Promise<T>) => Promise<T>;

export function createChangeWriter(options: ChangeWriterOptions): ChangeWriter {
  const entities = openSpool(path.join(options.tmpDir, 'entities.ndjson'));
  const index = openSpool(path.join(options.tmpDir, 'index.ndjson'));
  const search = openSpool(path.join(options.tmpDir, 'search.ndjson'));
  const partitions = new Map<string, SpoolFile>();
  const partitionSpool = (partitionKey: string) => {
    let spool = partitions.get(partitionKey);
    if (!spool) partitions.set(partitionKey, (spool = openSpool(partitionSpoolFile(options.tmpDir, partitionKey))));
    return spool;
  };

  // Sheets list a meter's rows together, and its tiers and dates share its indexed values: a line equal
  // to the one before adds nothing to the index's sets (29 % of the lines of the benchmark's sheet).
  let lastSearch = '';
  const spoolSearch = async (line: string) => {
    if (line === lastSearch) return;
    lastSearch = line;
    await appendLine(search, line);
  };

  return {
    async change(partitionKey, rowKey, points, content) {
      // A VersionChange's JSON, put together around the content already serialised where the row was read.
      const change = `{"rowKey":${JSON.stringify(rowKey)},"points":${JSON.stringify(points)}${content ? `,"content":${content}` : ''}}`;
      if (!isMeterDocPartition(partitionKey))
        return appendLine(entities, `[${JSON.stringify(partitionKey)},${change}]`);
      await appendLine(partitionSpool(partitionKey), change);
    },
    async indexMeter(line) {
      await appendLine(index, line);
    },
    indexSearch: spoolSearch,
    async commit(onProgress) {
      await spoolStoredSearchEntries(options, spoolSearch);
      const spools = [entities, index, search, ...partitions.values()];
      await Promise.all(spools.map(closeSpool));
      const spooled = { entities: entities.file, partitions, index: index.file, search: search.file };
      return writeSpooled(spooled, options, onProgress);
    },
  };
}

/** The spool file of one meter-document partition: named by a digest, as partition keys hold `|`. */
function partitionSpoolFile(tmpDir: string, partitionKey: string): string {
  const name = createHash('sha1').update(partitionKey).digest('hex').slice(0, PARTITION_FILE_DIGITS);
  return path.join(tmpDir, `partition-${name}.ndjson`);
}

/** The closed spool files of a change writer. */
interface SpooledChanges {
  entities: string;
  partitions: Map<string, SpoolFile>;
  index: string;
  search: string;
}

/**
 * Writes what was spooled: the versions, the product index and the search index side by side.
 * Returns the number of entities written.
 */
async function writeSpooled(
  spooled: SpooledChanges,
  options: ChangeWriterOptions,
  onProgress: (done: number) => void,
): Promise<number> {
  const pool = createPool(options.concurrency);
  const search = {
    table: options.storage.table(options.storage.names.tables.priceSearch),
    scope: { market: options.market, view: options.view },
    mergeStored: options.mergeStored,
  };
  return allWritten([
    writeVersions(spooled, options, pool, onProgress),
    writeIndex(spooled.index, options, pool.run),
    writeSearchIndex(spooled.search, search),
  ]);
}

/**
 * The sum of the writers' counts once all have finished. When one fails, the others still finish
 * before the failure is thrown: a write arriving after the run has ended (and released its lock)
 * could overwrite the next run's pending state of an entity.
 */
async function allWritten(writers: Promise<number>[]): Promise<number> {
  const outcomes = await Promise.allSettled(writers);
  let written = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') throw outcome.reason;
    written += outcome.value;
  }
  return written;
}

/** Version entities, then meter documents partition by partition; returns the entities written. */
async function writeVersions(
  spooled: SpooledChanges,
  options: ChangeWriterOptions,
  pool: Pool,
  onProgress: (done: number) => void,
): Promise<number> {
  const table = options.storage.table(options.storage.names.tables.prices);
  const writer = createBatchWriter(table, pool);
  // Progress counts versions (a meter document carries several).
  let done = 0;
  let reported = 0;
  const progress = (versions: number) => {
    done += versions;
    if (done - reported >= PROGRESS_EVERY) onProgress((reported = done));
  };

  let chunk: [string, VersionChange][] = [];
  const writeChunk = async () => {
    await writeEntities(chunk, options, table, pool.run, writer);
    progress(chunk.length);
    chunk = [];
  };
  for await (const line of spooledLines(spooled.entities)) {
    chunk.push(JSON.parse(line) as [string, VersionChange]);
    if (chunk.length >= ENTITY_READ_CHUNK) await writeChunk();
  }
  await writeChunk();
  for (const [partitionKey, spool] of spooled.partitions) {
    for (const { doc, changes } of await mergedDocs(spool.file, partitionKey, options, table, pool.run)) {
      if (doc) await writer.add(doc);
      progress(changes);
    }
    // The partition is complete: send its last transaction now rather than hold it to the end.
    await writer.endPartition(partitionKey);
  }
  await writer.flush();
  onProgress(done);
  return writer.written;
}

/**
 * Applies changes to version entities: each read (when there may be one), written when it changes.
 * Only the reads take the pool's slots (it bounds storage calls; see mergedDocs).
 */
async function writeEntities(
  changes: [string, VersionChange][],
  options: ChangeWriterOptions,
  table: Table,
  run: Run,
  writer: BatchWriter,
): Promise<void> {
  const updated = await Promise.all(
    changes.map(async ([partitionKey, change]) => {
      const entity = options.mergeStored
        ? await run(() => ifFound(table.getEntity(partitionKey, change.rowKey)))
        : null;
      const stored = entity ? visibleVersionOfEntity(entity, options.committed) : undefined;
      const next = changedVersion(stored, change, options.asOf);
      if (!next || sameVersion(stored, next)) return null;
      return entityOf(next, partitionKey, { runId: options.runId, committed: stored });
    }),
  );
  for (const entity of updated) if (entity) await writer.add(entity);
}

/**
 * The meter documents of one partition that the changes alter (doc null: unchanged), merged from the
 * stored versions and this sheet's changes. Only the reads take the pool's slots: queued behind the
 * writes there, the merges of a cold ingest (which reads nothing) cost ~40 ms of CPU at 50,000 rows
 * just to be queued.
 */
async function mergedDocs(file: string, partitionKey: string, options: ChangeWriterOptions, table: Table, run: Run) {
  const byMeter = new Map<string, VersionChange[]>();
  for await (const line of spooledLines(file)) {
    const change = JSON.parse(line) as VersionChange;
    const meter = meterDocRowKey(change.rowKey);
    const list = byMeter.get(meter);
    if (list) list.push(change);
    else byMeter.set(meter, [change]);
  }
  return Promise.all(
    [...byMeter].map(async ([meter, changes]) => {
      const stored = options.mergeStored
        ? await run(() => readMeterDoc(table, partitionKey, meter, options.committed))
        : [];
      const versions = new Map(stored.map((version) => [version.rowKey, version]));
      let altered = false;
      for (const change of changes) {
        const before = versions.get(change.rowKey);
        const after = changedVersion(before, change, options.asOf);
        if (!after || sameVersion(before, after)) continue;
        versions.set(change.rowKey, after);
        altered = true;
      }
      const sorted = [...versions.values()].sort((a, b) => a.rowKey.localeCompare(b.rowKey));
      const pending = { runId: options.runId, versions: sorted };
      return { doc: altered ? meterDocEntity(partitionKey, meter, stored, pending) : null, changes: changes.length };
    }),
  );
}

async function writeIndex(file: string, options: ChangeWriterOptions, run: Run): Promise<number> {
  const table = options.storage.table(options.storage.names.tables.priceProducts);
  let written = 0;
  let pending: ProductMeters = new Map();
  const flush = async () => {
    const scope = { market: options.market, view: options.view, stored: options.mergeStored };
    written += await mergeProductMeters(table, scope, pending, run);
    pending = new Map();
  };
  for await (const line of spooledLines(file)) {
    const [productId, skuId, meterId] = JSON.parse(line) as [string, string, string];
    addProductMeter(pending, productId, skuId, meterId);
    if (pending.size >= PRODUCTS_PER_INDEX_FLUSH) await flush();
  }
  await flush();
  return written;
}

/**
 * Prices stored before the search index existed: when the market and view have data but no index,
 * the entries of every stored version join this sheet's (once: the index exists after this run).
 */
async function spoolStoredSearchEntries(
  options: ChangeWriterOptions,
  spoolSearch: (line: string) => Promise<void>,
): Promise<void> {
  const scope = { market: options.market, view: options.view };
  const { tables } = options.storage.names;
  if (!options.mergeStored || (await hasSearchIndex(options.storage.table(tables.priceSearch), scope))) return;
  for await (const [unit, values] of storedSearchEntries(
    options.storage.table(tables.prices),
    scope,
    options.committed,
  ))
    await spoolSearch(searchLine(unit, values));
}
