import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StringEntity } from '../shared/storage/transactions';
import { freePort, startAzurite } from '../runtime/azurite';
import { loadSettings } from '../shared/config/settings';
import { validatePriceRecord } from '../shared/prices/row';
import { readPriceFile } from '../shared/formats/priceFile';
import { createBatchWriter } from '../shared/storage/batchWriter';
import { createStorageClients, emulatorConnectionString, type StorageClients } from '../shared/storage/clients';
import { ensureStorage } from '../shared/storage/ensure';
import { createPool } from '../shared/storage/pool';
import { versionKeys } from '../shared/prices/tables/keys';
import { compactRow, entityOf } from '../shared/prices/tables/versions';
import { HEAP_FLAGS } from './heap';
import { startLatencyProxy, type LatencyProxy } from './latencyProxy';
import { writeSyntheticSheet } from './syntheticSheet';

const run = promisify(execFile);
/** Rows of the naive baseline: one request per row is slow, and its rate does not depend on the count. */
const NAIVE_ROWS = 2_000;
/** Room for the ingest child's output: a JSON line and its log. */
const CHILD_OUTPUT_BYTES = 1 << 20;
/** The backfill's sheet: the same catalogue with every this-many-th price different. */
const BACKFILL_PRICE_CHANGE_EVERY = 100;
/** With `--latency-ms` at least this, a cold ingest must reach 50 × naive (issue 2: ≥ 10 × in Azure). */
const AZURE_LATENCY_MS = 5;

/**
 * The price pipeline's benchmark, all in one run against one embedded storage:
 * (a) the raw write ceiling, free of the pipeline's layout: the fastest way to write the same rows to
 *     the same storage, one small pre-built entity per row in 100-entity transactions at the
 *     pipeline's concurrency, as rows/s; and the same at twice the concurrency: when that is no
 *     faster, the storage itself, not the transactions in flight, bounds the ceiling;
 * (b) a naive baseline: one upsertEntity per row, on a subset;
 * (c) cold ingest rows/s through the whole pipeline; (d) unchanged re-ingest on a later day;
 * (e) an out-of-order backfill between the two (every 100th price differs); (f) peak RSS of each.
 * With `latencyMs`, every table and blob request of all of them goes through a proxy that adds that
 * delay (bench/latencyProxy.ts), as Azure's round trip would.
 */
export async function runPriceBench(options: {
  rows?: number;
  workDir: string;
  latencyMs?: number;
}): Promise<Record<string, unknown>> {
  const rows = options.rows ?? 200_000;
  const latencyMs = options.latencyMs ?? 0;
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const azurite = await startAzurite({ ports });
  const proxies: LatencyProxy[] = [];
  try {
    let connection = azurite.connectionString;
    if (latencyMs > 0) {
      const [blob, table] = await Promise.all(
        [ports.blob, ports.table].map((port) => startLatencyProxy({ host: '127.0.0.1', port }, latencyMs)),
      );
      proxies.push(blob, table);
      connection = emulatorConnectionString('127.0.0.1', { blob: blob.port, queue: ports.queue, table: table.port });
    }
    const file = path.join(options.workDir, `sheet-${rows}.csv`);
    const generated = await writeSyntheticSheet(file, { rows, seed: 42 });
    const settingsFor = (prefix: string) =>
      loadSettings({ AzureWebJobsStorage: connection, STORAGE_NAME_PREFIX: prefix });
    const concurrency = settingsFor('any').TABLE_WRITE_CONCURRENCY;

    // The ceiling writes one small entity per row (no layout of the pipeline's), pre-built; the naive
    // baseline writes the same entities one request each. As many rows as the ingest writes (up to
    // 200,000, to bound the memory of holding them pre-built): Azurite slows down as a table grows,
    // so a small sample would overstate the ceiling.
    const ceilingRows = Math.min(rows, 200_000);
    const versions = await prebuilt(file, ceilingRows);
    const ceiling = await measureCeiling(createStorageClients(settingsFor('raw')), versions, concurrency);
    const ceilingPerSecond = ceilingRows / ceiling.seconds;
    // Into a table of its own, dropped afterwards: the ingests below meet the storage as before.
    const doubledStorage = createStorageClients(settingsFor('rawdouble'));
    const doubled = await measureCeiling(doubledStorage, versions, 2 * concurrency);
    await doubledStorage.table(doubledStorage.names.tables.prices).deleteTable();
    const doubledPerSecond = ceilingRows / doubled.seconds;
    const naiveRows = Math.min(rows, NAIVE_ROWS);
    const naive = await measureNaive(createStorageClients(settingsFor('naive')), versions.slice(0, naiveRows));
    const naivePerSecond = naiveRows / naive.seconds;
    if (naiveRows < rows)
      process.stderr.write(
        `naive baseline: ${naiveRows.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows written one ` +
          `upsert each; its rows/s (${Math.round(naivePerSecond)}) stands for the whole sheet\n`,
      );

    const cold = await ingestInChild(file, connection, '2026-11-01');
    if (cold.outcome !== 'succeeded') throw new Error(`cold ingest failed: ${cold.error}`);
    const unchanged = await ingestInChild(file, connection, '2026-11-03');
    const coldPerSecond = rows / (cold.durationMs / 1000);
    const backfillFile = path.join(options.workDir, `sheet-${rows}-repriced.csv`);
    await writeSyntheticSheet(backfillFile, { rows, seed: 42, priceChangeEvery: BACKFILL_PRICE_CHANGE_EVERY });
    const backfill = await ingestInChild(backfillFile, connection, '2026-11-02');
    if (backfill.outcome !== 'succeeded') throw new Error(`backfill failed: ${backfill.error}`);

    return {
      rows,
      latencyMs,
      fileMB: Math.round(generated.bytes / 1e5) / 10,
      tableWriteConcurrency: concurrency,
      rawCeiling: {
        rows: ceilingRows,
        entities: versions.length,
        rowsPerSecond: Math.round(ceilingPerSecond),
        atDoubleConcurrency: { concurrency: 2 * concurrency, rowsPerSecond: Math.round(doubledPerSecond) },
      },
      naiveBaseline: { rows: naiveRows, sampled: naiveRows < rows, rowsPerSecond: Math.round(naivePerSecond) },
      coldIngest: {
        seconds: cold.durationMs / 1000,
        rowsPerSecond: Math.round(coldPerSecond),
        entitiesWritten: cold.counts.entitiesWritten,
        peakRssMB: cold.maxRssMB,
      },
      unchangedReingest: {
        seconds: unchanged.durationMs / 1000,
        entitiesWritten: unchanged.counts.entitiesWritten,
        unchanged: unchanged.counts.unchanged,
        peakRssMB: unchanged.maxRssMB,
      },
      // Between the two snapshots, into their history: the later snapshot keeps its content, so what
      // it costs is the comparison with three manifests and the revisits.
      outOfOrderBackfill: {
        seconds: backfill.durationMs / 1000,
        changed: backfill.counts.changed,
        entitiesWritten: backfill.counts.entitiesWritten,
        peakRssMB: backfill.maxRssMB,
      },
      ...verdicts({ coldPerSecond, ceilingPerSecond, doubledPerSecond, naivePerSecond }, cold, unchanged, latencyMs),
    };
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await azurite.stop();
  }
}

/** The raw write ceiling: one pre-built entity per row in 100-entity transactions at a concurrency. */
async function measureCeiling(
  storage: StorageClients,
  entities: StringEntity[],
  concurrency: number,
): Promise<{ seconds: number }> {
  await ensureStorage(storage);
  return timed(async () => {
    const writer = createBatchWriter(storage.table(storage.names.tables.prices), createPool(concurrency));
    for (const entity of entities) await writer.add(entity);
    await writer.flush();
  });
}

/** The naive baseline: one upsertEntity per row. */
async function measureNaive(storage: StorageClients, entities: StringEntity[]): Promise<{ seconds: number }> {
  await ensureStorage(storage);
  const table = storage.table(storage.names.tables.prices);
  return timed(async () => {
    for (const entity of entities) await table.upsertEntity(entity, 'Replace');
  });
}

/** What bench/ingestChild prints. */
interface ChildIngest {
  durationMs: number;
  outcome: string;
  error: string | null;
  counts: Record<string, number>;
  maxRssMB: number;
}

/** One ingest of the file through the whole pipeline, in a child process with the deployed heap limit. */
async function ingestInChild(file: string, connection: string, asOf: string): Promise<ChildIngest> {
  const { stdout, stderr } = await run(
    process.execPath,
    [
      ...HEAP_FLAGS,
      path.join(__dirname, 'ingestChild.js'),
      '--file',
      file,
      '--connection',
      connection,
      '--prefix',
      'pipe',
      '--as-of',
      asOf,
    ],
    { maxBuffer: CHILD_OUTPUT_BYTES },
  );
  process.stderr.write(stderr); // the child's phase timings
  return JSON.parse(stdout.trim().split('\n').pop() as string) as ChildIngest;
}

/** The ratios between the measurements and whether each target is met. */
function verdicts(
  perSecond: { coldPerSecond: number; ceilingPerSecond: number; doubledPerSecond: number; naivePerSecond: number },
  cold: ChildIngest,
  unchanged: ChildIngest,
  latencyMs: number,
) {
  const { coldPerSecond, ceilingPerSecond, doubledPerSecond, naivePerSecond } = perSecond;
  return {
    ratios: {
      coldVsCeiling: round(coldPerSecond / ceilingPerSecond),
      coldVsNaive: round(coldPerSecond / naivePerSecond),
      // What any pipeline could reach at best against this storage: the bound on coldVsNaive.
      ceilingVsNaive: round(ceilingPerSecond / naivePerSecond),
      // Near 1 when the storage, not the transactions in flight, bounds the ceiling (rawCeiling.atDoubleConcurrency).
      doubleConcurrencyCeilingVsCeiling: round(doubledPerSecond / ceilingPerSecond),
      unchangedVsCold: round(unchanged.durationMs / cold.durationMs),
    },
    targets: {
      'cold ≥ 0.60 × ceiling': coldPerSecond / ceilingPerSecond >= 0.6,
      'cold ≥ 10 × naive': coldPerSecond / naivePerSecond >= 10,
      ...(latencyMs >= AZURE_LATENCY_MS ? { 'cold ≥ 50 × naive': coldPerSecond / naivePerSecond >= 50 } : {}),
      'unchanged writes 0 entities': unchanged.counts.entitiesWritten === 0,
      'unchanged ≤ 0.25 × cold time': unchanged.durationMs <= 0.25 * cold.durationMs,
      'peak RSS ≤ 250 MB': Math.max(cold.maxRssMB, unchanged.maxRssMB) <= 250,
    },
  };
}

/** The first rows of the sheet, one entity per row (as the pipeline's version key places it). */
async function prebuilt(file: string, count: number): Promise<StringEntity[]> {
  const entities: StringEntity[] = [];
  for await (const line of readPriceFile(file)) {
    if ('error' in line) continue;
    const verdict = validatePriceRecord(line.record);
    if (!verdict.ok) continue;
    const keys = versionKeys(verdict.row, 'azure_consumption');
    entities.push(entityOf({ rowKey: keys.rowKey, contentHash: '0', row: compactRow(verdict.row) }, keys.partitionKey));
    if (entities.length >= count) break;
  }
  return entities;
}

async function timed(work: () => Promise<void>): Promise<{ seconds: number }> {
  const started = process.hrtime.bigint();
  await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

const round = (ratio: number) => Math.round(ratio * 100) / 100;
