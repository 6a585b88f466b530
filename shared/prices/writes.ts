import type { TransactionAction } from '@azure/data-tables';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PriceView } from './views';
import type { PriceRow } from './row';
import { createBatchWriter } from '../storage/batchWriter';
import type { StorageClients } from '../storage/clients';
import { createPool } from '../storage/pool';
import { isMetered } from './tables/keys';
import {
  entityOf,
  isMeterDocPartition,
  meterDocEntity,
  meterDocRowKey,
  readMeterDoc,
  storedVersionOf,
  type StoredVersion,
} from './tables/versions';
import { addProductMeter, mergeProductMeters, type ProductMeters } from './tables/productIndex';
import { appendLine, closeSpool, openSpool, spooledLines, type SpoolFile } from '../files/spool';

/**
 * The write half of an ingest. Changes are spooled to temporary files while the sheet is read (so
 * nothing is published before the whole file has been judged), then written:
 * - version entities (rows without a meter) in transactions of ≤100 per partition;
 * - meter documents partition by partition: one spool file per partition groups the changed
 *   versions of each meter, the stored document is merged with them (read only when the market and
 *   view have data already), and whole partitions go out as ≤100-entity transactions. One partition
 *   at a time keeps memory flat for any sheet size;
 * - the product → meter index, from the added meters (sheets list a product's rows together, so
 *   flushing every few hundred products writes each product about once).
 */

export interface ChangeWriter {
  version(
    keys: { partitionKey: string; rowKey: string },
    contentHash: number,
    row: PriceRow,
    added: boolean,
  ): Promise<void>;
  /** Marks a version the sheet no longer lists (from this as-of day on). */
  removal(keys: { partitionKey: string; rowKey: string }): Promise<void>;
  /** Writes everything spooled; returns the number of entities written. */
  commit(onProgress: (done: number) => void): Promise<number>;
}

export interface ChangeWriterOptions {
  storage: StorageClients;
  tmpDir: string;
  market: string;
  view: PriceView;
  concurrency: number;
  removedAsOf: string;
  /** False when the market and view hold no data yet: meter documents need not be read before writing. */
  mergeStored: boolean;
}

/** Products gathered before their index entries are merged and written. */
const PRODUCTS_PER_INDEX_FLUSH = 200;
/** Versions written between progress reports. */
const PROGRESS_EVERY = 5000;
/** Hex digits of a partition's digest in its spool file's name: 64 bits tell a run's partitions apart. */
const PARTITION_FILE_DIGITS = 16;

/** A spooled change to one version of a meter document: its new content, or its removal. */
type MeterDocChange = { rowKey: string; version?: StoredVersion; removed?: true };

export function createChangeWriter(options: ChangeWriterOptions): ChangeWriter {
  const entities = openSpool(path.join(options.tmpDir, 'entities.ndjson'));
  const index = openSpool(path.join(options.tmpDir, 'index.ndjson'));
  const partitions = new Map<string, SpoolFile>();
  const partitionSpool = (partitionKey: string) => {
    let spool = partitions.get(partitionKey);
    if (!spool) partitions.set(partitionKey, (spool = openSpool(partitionSpoolFile(options.tmpDir, partitionKey))));
    return spool;
  };

  return {
    async version(keys, contentHash, row, added) {
      if (!isMetered(row))
        return appendLine(entities, JSON.stringify(['upsert', entityOf(row, keys, String(contentHash)), 'Replace']));
      const version = storedVersionOf(row, keys.rowKey, String(contentHash));
      const change: MeterDocChange = { rowKey: keys.rowKey, version };
      await appendLine(partitionSpool(keys.partitionKey), JSON.stringify(change));
      if (added) await appendLine(index, JSON.stringify([row.productId, row.skuId, row.meterId]));
    },
    async removal(keys) {
      if (!isMeterDocPartition(keys.partitionKey)) {
        return appendLine(entities, JSON.stringify(['upsert', { ...keys, removedAsOf: options.removedAsOf }, 'Merge']));
      }
      const change: MeterDocChange = { rowKey: keys.rowKey, removed: true };
      await appendLine(partitionSpool(keys.partitionKey), JSON.stringify(change));
    },
    async commit(onProgress) {
      await Promise.all([closeSpool(entities), closeSpool(index), ...[...partitions.values()].map(closeSpool)]);
      return writeSpooled({ entities: entities.file, partitions, index: index.file }, options, onProgress);
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
}

/**
 * Writes what was spooled: version entities, then meter documents partition by partition, then the
 * product index. Returns the number of entities written.
 */
async function writeSpooled(
  spooled: SpooledChanges,
  options: ChangeWriterOptions,
  onProgress: (done: number) => void,
): Promise<number> {
  const pool = createPool(options.concurrency);
  const table = options.storage.table(options.storage.names.tables.prices);
  const writer = createBatchWriter(table, pool);
  // Progress counts versions (a meter document carries several).
  let done = 0;
  let reported = 0;
  const progress = (versions: number) => {
    done += versions;
    if (done - reported >= PROGRESS_EVERY) onProgress((reported = done));
  };

  for await (const line of spooledLines(spooled.entities)) {
    await writer.add(JSON.parse(line) as TransactionAction);
    progress(1);
  }
  for (const [partitionKey, spool] of spooled.partitions) {
    for (const { doc, changes } of await mergedDocs(spool.file, partitionKey, options, table, pool.run)) {
      await writer.add(['upsert', doc, 'Replace']);
      progress(changes);
    }
    // The partition is complete: send its last transaction now rather than hold it to the end.
    await writer.endPartition(partitionKey);
  }
  const indexWrites = await writeIndex(spooled.index, options, pool.run);
  await writer.flush();
  onProgress(done);
  return writer.written + indexWrites;
}

/** The new meter documents of one partition: stored versions merged with this sheet's changes. */
async function mergedDocs(
  file: string,
  partitionKey: string,
  options: ChangeWriterOptions,
  table: ReturnType<StorageClients['table']>,
  run: <T>(task: () => Promise<T>) => Promise<T>,
) {
  const byMeter = new Map<string, MeterDocChange[]>();
  for await (const line of spooledLines(file)) {
    const change = JSON.parse(line) as MeterDocChange;
    const meter = meterDocRowKey(change.rowKey);
    const list = byMeter.get(meter);
    if (list) list.push(change);
    else byMeter.set(meter, [change]);
  }
  return Promise.all(
    [...byMeter].map(([meter, changes]) =>
      run(async () => {
        const stored = options.mergeStored ? await readMeterDoc(table, partitionKey, meter) : [];
        const versions = new Map(stored.map((version) => [version.rowKey, version]));
        for (const change of changes) {
          if (change.version) versions.set(change.rowKey, change.version);
          const removed = change.removed ? versions.get(change.rowKey) : undefined;
          if (removed) removed.removedAsOf = options.removedAsOf;
        }
        const doc = meterDocEntity(
          partitionKey,
          meter,
          [...versions.values()].sort((a, b) => a.rowKey.localeCompare(b.rowKey)),
        );
        return { doc, changes: changes.length };
      }),
    ),
  );
}

async function writeIndex(
  file: string,
  options: ChangeWriterOptions,
  run: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<number> {
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
