import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, startAzurite } from '../runtime/azurite';
import { loadSettings } from '../shared/config/settings';
import { todayUtc } from '../shared/core/dates';
import { enqueuePriceRefresh, planPriceRefresh } from '../shared/prices/refreshQueue';
import { recentRuns, type RunRecord } from '../shared/runs/ledger';
import { createStorageClients } from '../shared/storage/clients';
import { ensureStorage } from '../shared/storage/ensure';
import { queueClient } from '../shared/storage/queues';
import { writeSyntheticSheet } from './syntheticSheet';
import { startThrottledPartnerCenter } from './throttledPartnerCenter';

/**
 * The refresh fan-out: a plan of one message per market (24 markets × azure_consumption) on the
 * price-refresh queue, consumed by 1 and then 4 worker processes against one embedded storage, from a
 * Partner Center with per-request latency that throttles (429 + Retry-After) above a concurrency limit.
 * One market always fails (400) and must end in the poison queue and the ledger while the others succeed.
 * Reported per worker count: elapsed time, 429s received and whether each retry waited Retry-After, the most
 * downloads in flight, and rows lost (rows of the sheets minus rows the successful runs stored: must be 0).
 */

const MARKETS = 'US DE FR GB IT ES NL BE AT CH SE NO DK FI PL PT IE CZ HU RO GR JP AU CA'.split(' ');
const FAILING = 'CA';
/** Per worker process: upstream calls at once (with host.json's batch settings: up to 3 messages at once). */
const UPSTREAM_PER_WORKER = 1;
/** Above this many downloads in flight the fake answers 429: more than one worker asks at once, fewer than four do. */
const PARTNER_CENTER_LIMIT = 2;
/** Partner Center takes its time to start a download; the fan-out overlaps these waits. */
const LATENCY_MS = 1000;
const RETRY_AFTER_SECONDS = 1;
/** Deliveries before the failing market's message goes to the poison queue, and the wait between them. */
const MAX_DEQUEUE = 3;
const RUN_TIMEOUT_MS = 20 * 60_000;

export async function runFanoutBench(options: { rows?: number; workDir: string }): Promise<Record<string, unknown>> {
  const rows = options.rows ?? 20_000;
  const files = new Map<string, string>();
  for (const [i, market] of MARKETS.entries()) {
    const file = path.join(options.workDir, `fanout-${market}-${rows}.csv`);
    await writeSyntheticSheet(file, { rows, seed: 100 + i, market });
    files.set(market, file);
  }
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const azurite = await startAzurite({ ports });
  const results: Record<string, unknown> = {
    markets: MARKETS.length,
    rowsPerMarket: rows,
    failingMarket: FAILING,
    partnerCenter: {
      latencyMs: LATENCY_MS,
      concurrencyLimit: PARTNER_CENTER_LIMIT,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
    upstreamMaxConcurrencyPerWorker: UPSTREAM_PER_WORKER,
  };
  try {
    for (const workers of [1, 4]) {
      process.stderr.write(`fanout: ${workers} worker(s)…\n`);
      results[`workers${workers}`] = await runWith(workers, { files, rows, connection: azurite.connectionString });
      process.stderr.write(`${JSON.stringify(results[`workers${workers}`])}\n`);
    }
  } finally {
    await azurite.stop();
  }
  return results;
}

async function runWith(
  workers: number,
  run: { files: Map<string, string>; rows: number; connection: string },
): Promise<Record<string, unknown>> {
  const fake = await startThrottledPartnerCenter({
    files: run.files,
    latencyMs: LATENCY_MS,
    concurrencyLimit: PARTNER_CENTER_LIMIT,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    failingMarket: FAILING,
  });
  const env: Record<string, string> = {
    ...fake.settings,
    AzureWebJobsStorage: run.connection,
    STORAGE_NAME_PREFIX: `fan${workers}`,
    PRICES_SOURCE: 'partnercenter',
    UPSTREAM_MAX_CONCURRENCY: String(UPSTREAM_PER_WORKER),
    AzureFunctionsJobHost__extensions__queues__maxDequeueCount: String(MAX_DEQUEUE),
    AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:01',
  };
  const settings = loadSettings(env);
  const storage = createStorageClients(settings);
  await ensureStorage(storage);
  const asOf = todayUtc();
  const plan = planPriceRefresh({
    markets: MARKETS,
    views: ['azure_consumption'],
    timelines: ['current'],
    asOf,
    source: 'partnercenter',
  });
  const children: ChildProcess[] = [];
  try {
    const started = Date.now();
    await enqueuePriceRefresh(storage, plan);
    for (let i = 0; i < workers; i++) children.push(startWorker(env));
    const runs = await ledgerWhenDone(storage, asOf, started);
    const elapsedMs = Date.now() - started;
    const succeeded = runs.filter((r) => r.outcome === 'succeeded');
    const poisoned = runs.filter((r) => r.error?.startsWith('gave up'));
    const stored = succeeded.reduce((sum, r) => sum + r.counts.added + r.counts.unchanged, 0);
    const stats = fake.stats();
    return {
      elapsedSeconds: Number((elapsedMs / 1000).toFixed(1)),
      succeededMarkets: succeeded.length,
      poisonedMarkets: poisoned.map((r) => r.market),
      failedDeliveries: runs.filter((r) => r.outcome === 'failed' && !poisoned.includes(r)).length,
      poisonQueueLeft: (await queueClient(storage, 'priceRefresh', true).getProperties()).approximateMessagesCount,
      rowsLost: (MARKETS.length - 1) * run.rows - stored,
      rejectedRows: succeeded.reduce((sum, r) => sum + r.counts.rejected, 0),
      downloads: stats.downloads,
      throttled429: stats.throttled,
      retryAfterHonoured: stats.retryGapsMs.every((gap) => gap >= stats.retryAfterSeconds * 1000),
      shortestRetryGapMs: stats.retryGapsMs.length ? Math.min(...stats.retryGapsMs) : null,
      mostDownloadsInFlight: stats.mostInFlight,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await fake.close();
  }
}

function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--max-old-space-size=160', path.join(__dirname, 'fanoutWorker.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The ledger once every market has its final record: a success, or the poison function's failure. */
async function ledgerWhenDone(
  storage: ReturnType<typeof createStorageClients>,
  asOf: string,
  started: number,
): Promise<RunRecord[]> {
  for (;;) {
    const runs = (await recentRuns(storage, 500)).filter((r) => r.asOf === asOf);
    const final = new Set(
      runs.filter((r) => r.outcome === 'succeeded' || r.error?.startsWith('gave up')).map((r) => r.market),
    );
    if (final.size === MARKETS.length) return runs;
    if (Date.now() - started > RUN_TIMEOUT_MS)
      throw new Error(
        `fan-out did not finish in ${RUN_TIMEOUT_MS / 60_000} min: ${final.size} of ${MARKETS.length} markets final`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
