import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startLocalRunner } from '../runtime/localRunner';
import { freePort, startAzurite } from '../runtime/azurite';
import { handlePrices } from '../shared/prices/endpoints/lookup';
import { pagingSecret } from '../shared/api/paging';
import { requestFor } from '../shared/api/endpoint';
import { loadSettings, type Settings } from '../shared/config/settings';
import { todayUtc } from '../shared/core/dates';
import { createLogger, type Logger } from '../shared/observability/logger';
import { ingestBenchSheet, silent } from './marketData';
import { createStorageClients, type StorageClients } from '../shared/storage/clients';
import { meterPartition, meterRowPrefix } from '../shared/prices/tables/keys';
import { meterDocRowKey, versionsByMeter } from '../shared/prices/tables/versions';
import { committedRuns } from '../shared/prices/tables/committedRuns';
import { SHEET_COLUMNS, writeSyntheticSheet } from './syntheticSheet';

/**
 * Lookup benchmark against a synthetic sheet (200,000 rows unless --rows says) in a private Azurite:
 * - GET /api/prices by meterId through the handler vs a raw getEntity of the same entity, interleaved
 *   in one run (target: handler p50 ≤ 1.5 × raw p50);
 * - a product listing paged to the end (top=50) and the first pages of a market listing;
 * - requests/s, p50 and p99 of the local runner under concurrent keep-alive load from a second process,
 *   per endpoint kind: meter point read, product listing, market listing page, `$filter` search. Each
 *   kind cycles through a working set (200 meters, 20 products, 4 filters, the first page); the client
 *   first asks for each path once, all kinds' cold latency, then loads the warm runner for LOAD_SECONDS.
 */

const SAMPLES = 400;
const WARMUP = 50;
const LOAD_SECONDS = 5;
const LOAD_CONCURRENCY = 32;
/** How long the load client may take beyond LOAD_SECONDS (start-up, last requests) before it is killed. */
const LOAD_CLIENT_GRACE_SECONDS = 30;
/** Meters the load client cycles through. */
const LOAD_METERS = 200;
/** Items a page of the product listings, searches and market listing under load. */
const LOAD_PAGE_TOP = 50;
/** `$filter` searches under load (the synthetic sheet's titles name these regions and services). */
const LOAD_FILTERS = [
  "armRegionName eq 'eastus' and contains(productName, 'Virtual Machines 1')",
  "startswith(skuTitle, 'Premium') and location eq 'EU West'",
  "productName eq 'Storage 12' or productName eq 'Backup 40'",
  "contains(productName, 'Cosmos') and unitOfMeasure eq '1 Hour' and region ne 'westus2'",
];
/** Every SAMPLE_EVERY-th row of the sheet gives a meter and product to look up. */
const SAMPLE_EVERY = 500;
/** Columns of the synthetic sheet read for the samples. */
const PRODUCT_ID_COLUMN = SHEET_COLUMNS.indexOf('ProductId');
const METER_IDS_COLUMN = SHEET_COLUMNS.indexOf('MeterIds');
/** Products listed to the end, PRODUCT_PAGE_TOP items a page. */
const PRODUCTS_LISTED = 20;
const PRODUCT_PAGE_TOP = 50;
/** Pages of the market listing read, MARKET_PAGE_TOP items a page. */
const MARKET_PAGES = 5;
const MARKET_PAGE_TOP = 1000;

/** A full garbage collection, so that heapUsed counts what is retained (V8's gc, exposed at run time). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function percentiles(ms: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (percent: number) => sorted[Math.min(sorted.length - 1, Math.floor((percent / 100) * sorted.length))];
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { p50: round(at(50)), p99: round(at(99)), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

/** Every SAMPLE_EVERY-th row's meter and product, from the file itself. */
async function sampleIds(file: string): Promise<{ meters: string[]; products: string[] }> {
  const meters: string[] = [];
  const products = new Set<string>();
  let lineNumber = 0;
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    if (lineNumber++ === 0 || lineNumber % SAMPLE_EVERY !== 0) continue;
    const cells = line.split('","');
    meters.push(cells[METER_IDS_COLUMN]);
    products.add(cells[PRODUCT_ID_COLUMN]);
  }
  return { meters, products: [...products] };
}

/** The entity a meter lookup reads: the meter's document. */
function meterDocKeys(meterId: string): { partitionKey: string; rowKey: string } {
  return {
    partitionKey: meterPartition('US', 'azure_consumption', meterId),
    rowKey: meterDocRowKey(meterRowPrefix(meterId)),
  };
}

export async function runLookupBench(options: { rows?: number } = {}): Promise<Record<string, unknown>> {
  const rows = options.rows ?? 200_000;
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lookup-bench-'));
  const azurite = await startAzurite({
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
  });
  try {
    const settings = loadSettings({ AzureWebJobsStorage: azurite.connectionString, STORAGE_NAME_PREFIX: 'bench' });
    const bench: Bench = { storage: createStorageClients(settings), logger: createLogger(silent) };
    const file = path.join(tmp, 'sheet.csv');
    await writeSyntheticSheet(file, { rows, seed: 7 });
    const loadMs = await loadSheet(bench, settings, file);
    const { meters, products } = await sampleIds(file);
    const byMeter = await measureMeterLookups(bench, meters);
    const productListing = await measureProductListing(bench, products.slice(0, PRODUCTS_LISTED));
    const listingMs = await measureMarketListing(bench);
    const load = await measureRunnerLoad(bench, settings, { meters, products });
    return {
      rows,
      loadSeconds: Math.round(loadMs / 100) / 10,
      lookupByMeter: {
        samples: SAMPLES,
        handlerMs: byMeter.handler,
        rawGetEntityMs: byMeter.raw,
        p50Ratio: Math.round((byMeter.handler.p50 / byMeter.raw.p50) * 100) / 100,
        target: 'handler p50 <= 1.5 x raw getEntity p50',
        // The storage-level read of a meter lookup (versionsByMeter: a point read and the JSON parse) without
        // the handler: separates the API's own cost from the store's.
        rawRangeQueryMs: byMeter.rangeQuery,
        p50RatioToRangeQuery: Math.round((byMeter.handler.p50 / byMeter.rangeQuery.p50) * 100) / 100,
      },
      productListing,
      marketListing: { pages: listingMs.length, top: MARKET_PAGE_TOP, pageMs: percentiles(listingMs) },
      runnerLoad: {
        ...load,
        concurrency: LOAD_CONCURRENCY,
        secondsPerKind: LOAD_SECONDS,
        top: LOAD_PAGE_TOP,
        from: 'a second node process on 127.0.0.1 (keep-alive)',
        target: 'product listings and searches p99 <= 1000 ms',
      },
    };
  } finally {
    await azurite.stop();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/** The storage and logger every measurement uses. */
interface Bench {
  storage: StorageClients;
  logger: Logger;
}

/** Ingests the sheet; returns how long it took (ms). */
async function loadSheet(bench: Bench, settings: Settings, file: string): Promise<number> {
  const [loadMs] = await timed(() => ingestBenchSheet(bench, settings, file, todayUtc()));
  return loadMs;
}

/** A meter lookup through the handler, next to a raw getEntity and the storage-level read of the same meter. */
async function measureMeterLookups({ storage, logger }: Bench, meters: string[]) {
  const keys = meters.map(meterDocKeys);
  const table = storage.table(storage.names.tables.prices);
  // Interleaved, so that both see the same Azurite, cache and GC conditions.
  const handlerMs: number[] = [];
  const rawMs: number[] = [];
  const rangeMs: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const meterId = meters[i % meters.length];
    const { partitionKey, rowKey } = keys[i % meters.length];
    const [raw] = await timed(() => table.getEntity(partitionKey, rowKey));
    const [range] = await timed(async () =>
      versionsByMeter(
        table,
        { market: 'US', view: 'azure_consumption', meterId },
        await committedRuns(storage, 'US', 'azure_consumption'),
      ),
    );
    // versionsByMeter is the storage-level read the handler makes (one point read and the JSON parse).
    const [viaHandler, response] = await timed(() =>
      handlePrices(requestFor('/api/prices', { market: 'US', meterId }), storage, logger, pagingSecret({})),
    );
    if (response.status !== 200 || !response.body.includes(meterId))
      throw new Error(`lookup of ${meterId} answered ${response.status}`);
    if (i >= WARMUP) {
      rawMs.push(raw);
      rangeMs.push(range);
      handlerMs.push(viaHandler);
    }
  }
  return { handler: percentiles(handlerMs), raw: percentiles(rawMs), rangeQuery: percentiles(rangeMs) };
}

/** Each product's listing paged to the end. */
async function measureProductListing({ storage, logger }: Bench, products: string[]) {
  const pageMs: number[] = [];
  let productItems = 0;
  let productPages = 0;
  for (const productId of products) {
    let token: string | null = null;
    do {
      const params: Record<string, string> = {
        market: 'US',
        productId,
        top: String(PRODUCT_PAGE_TOP),
        ...(token ? { continuationToken: token } : {}),
      };
      const [ms, response] = await timed(() =>
        handlePrices(requestFor('/api/prices', params), storage, logger, pagingSecret({})),
      );
      const body = JSON.parse(response.body) as { items: unknown[]; continuationToken: string | null };
      pageMs.push(ms);
      productItems += body.items.length;
      productPages++;
      token = body.continuationToken;
    } while (token);
  }
  return {
    products: products.length,
    pages: productPages,
    items: productItems,
    top: PRODUCT_PAGE_TOP,
    pageMs: percentiles(pageMs),
  };
}

/** The first pages of the market listing; returns each page's time (ms). */
async function measureMarketListing({ storage, logger }: Bench): Promise<number[]> {
  const listingMs: number[] = [];
  let token: string | null = null;
  for (let page = 0; page < MARKET_PAGES; page++) {
    const params: Record<string, string> = {
      market: 'US',
      top: String(MARKET_PAGE_TOP),
      ...(token ? { continuationToken: token } : {}),
    };
    const [ms, response] = await timed(() =>
      handlePrices(requestFor('/api/prices', params), storage, logger, pagingSecret({})),
    );
    listingMs.push(ms);
    token = (JSON.parse(response.body) as { continuationToken: string | null }).continuationToken;
  }
  return listingMs;
}

/** The paths each endpoint kind cycles through under load. */
function loadPaths({ meters, products }: { meters: string[]; products: string[] }): Record<string, string[]> {
  const top = `top=${LOAD_PAGE_TOP}`;
  return {
    meterPointRead: meters.slice(0, LOAD_METERS).map((meterId) => `/api/prices?market=US&meterId=${meterId}`),
    productListing: products
      .slice(0, PRODUCTS_LISTED)
      .map((productId) => `/api/prices?market=US&productId=${productId}&${top}`),
    filterSearch: LOAD_FILTERS.map((filter) => `/api/prices?market=US&${top}&$filter=${encodeURIComponent(filter)}`),
    // Last: storage goes on with the full-table scans of abandoned listing queries after the client gives up.
    marketListingPage: [`/api/prices?market=US&${top}`],
  };
}

/** The runner under load from a second process, one endpoint kind after another. */
async function measureRunnerLoad(
  { storage }: Bench,
  settings: Settings,
  ids: { meters: string[]; products: string[] },
): Promise<Record<string, LoadResult | Record<string, number>>> {
  const previousEnv = {
    AzureWebJobsStorage: process.env.AzureWebJobsStorage,
    STORAGE_NAME_PREFIX: process.env.STORAGE_NAME_PREFIX,
  };
  // The functions read storage from the environment, as under the host.
  process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
  process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  try {
    const runner = await startLocalRunner({
      port: 0,
      settings,
      storage,
      functionsDir: path.join(__dirname, '..', 'functions'),
      pollBlobs: false,
      runTimers: false,
      log: () => {},
    });
    try {
      const heapMb = () => {
        collectGarbage();
        return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      };
      const results: Record<string, LoadResult | Record<string, number>> = {};
      const before = heapMb();
      for (const [kind, paths] of Object.entries(loadPaths(ids)))
        results[kind] = await loadFromSecondProcess(runner.url, paths);
      // The runner shares this process: what stays after a full collection is mostly its caches.
      results.heapUsedMb = { beforeLoad: before, afterLoad: heapMb() };
      return results;
    } finally {
      await runner.close();
    }
  } finally {
    process.env.AzureWebJobsStorage = previousEnv.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = previousEnv.STORAGE_NAME_PREFIX;
  }
}

interface LoadResult {
  paths: number;
  /** The first request of each path, LOAD_CONCURRENCY at a time: nothing cached yet. */
  coldMs: { p50: number; p99: number; mean: number };
  requests: number;
  /** Answers other than 200 (0: no answer), by status. */
  errors: Record<string, number>;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number };
}

function loadFromSecondProcess(baseUrl: string, paths: string[]): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      env: {
        ...process.env,
        LOOKUP_BENCH_CLIENT: JSON.stringify({ baseUrl, paths, seconds: LOAD_SECONDS, concurrency: LOAD_CONCURRENCY }),
      },
    });
    const timer = setTimeout(() => child.kill(), (LOAD_SECONDS + LOAD_CLIENT_GRACE_SECONDS) * 1000);
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load client exited with ${code}`));
    });
  });
}

/** The load client (the forked process): keep-alive requests from `concurrency` loops for `seconds`. */
async function runLoadClient(config: {
  baseUrl: string;
  paths: string[];
  seconds: number;
  concurrency: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
  const errors: Record<string, number> = {};
  const get = (url: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  /** `concurrency` loops taking the next path until `more()` says stop; latencies of the 200s. */
  const drive = async (more: (sent: number) => boolean): Promise<number[]> => {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: config.concurrency }, async () => {
        while (more(next)) {
          const url = `${config.baseUrl}${config.paths[next++ % config.paths.length]}`;
          const sentAt = performance.now();
          const status = await get(url).catch(() => 0);
          if (status === 200) latencies.push(performance.now() - sentAt);
          else errors[status] = (errors[status] ?? 0) + 1;
        }
      }),
    );
    return latencies;
  };
  const cold = await drive((sent) => sent < config.paths.length);
  const deadline = performance.now() + config.seconds * 1000;
  const started = performance.now();
  const latencies = await drive(() => performance.now() < deadline);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    paths: config.paths.length,
    coldMs: percentiles(cold),
    requests: latencies.length,
    errors,
    requestsPerSecond: Math.round(latencies.length / elapsed),
    latencyMs: percentiles(latencies),
  };
}

if (process.env.LOOKUP_BENCH_CLIENT && process.send) {
  runLoadClient(JSON.parse(process.env.LOOKUP_BENCH_CLIENT) as Parameters<typeof runLoadClient>[0]).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
