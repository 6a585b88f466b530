import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, stderrSink } from '../shared/observability/logger';
import { refreshPrices } from '../shared/prices/refresh';
import { refreshRates } from '../shared/rates/ingest';
import { createFxRatesSource } from '../shared/rates/sources/factory';
import { createSampleSource, SAMPLE_AS_OF } from '../shared/prices/sources/sample';
import { lastSuccesses } from '../shared/runs/ledger';
import { ensureStorage } from '../shared/storage/ensure';
import { startLocalRunner } from './localRunner';
import { MCP_PATH } from './mcpServer';
import { openLocalStorage, type LocalStorage } from './storage';

/**
 * `npm start`: the app without the Functions host. Uses the configured storage or the embedded
 * Azurite, serves http://localhost:7071/api/…, runs timers, watches upload containers, and loads
 * the bundled sample prices on first start.
 */
/** The Functions host's default port, so that URLs are the same as under `func start`. */
const DEFAULT_PORT = 7071;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } }, allowPositionals: false });
  const port = Number(values.port ?? process.env.PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port/PORT must be a port number, got ${values.port ?? process.env.PORT}`);

  const local = await openLocalStorage(process.env, { detached: false });
  // The functions read their settings from the environment, as under the Functions host.
  if (local.azurite) process.env.AzureWebJobsStorage = local.azurite.connectionString;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    local.azurite
      ? `Storage: embedded Azurite (${local.azurite.process ? 'started here' : 'already running'}), data in .azurite/`
      : `Storage: ${local.storage.mode}`,
  );

  await loadSampleOnFirstStart(local, log);
  const runner = await startLocalRunner({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    settings: local.settings,
    storage: local.storage,
    functionsDir: path.join(__dirname, '..', 'functions'),
    functionKey: local.settings.LOCAL_FUNCTION_KEY,
    log,
  });
  log(
    `Functions running at ${runner.url}/api/ (health: ${runner.url}/api/health; ` +
      `run a timer now: curl -X POST ${runner.url}/admin/functions/refreshPrices -d '{}')`,
  );
  log(`MCP tools for assistants at ${runner.url}${MCP_PATH} (streamable HTTP)`);

  const shutdown = async () => {
    await runner.close();
    await local.azurite?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

async function loadSampleOnFirstStart(local: LocalStorage, log: (line: string) => void): Promise<void> {
  await ensureStorage(local.storage);
  if ((await lastSuccesses(local.storage)).length > 0) return;
  log(
    'First start: loading the bundled SAMPLE prices and exchange rates ' +
      `(US consumption, reservations, license-based; not real prices) as of ${SAMPLE_AS_OF}.`,
  );
  const common = {
    storage: local.storage,
    settings: local.settings,
    logger: createLogger(stderrSink),
    // The day the sample is of, whatever the day of the first start.
    asOf: SAMPLE_AS_OF,
  };
  const results = await refreshPrices({
    ...common,
    source: createSampleSource(),
    markets: ['US'],
    views: ['azure_consumption', 'azure_reservations', 'updatedlicensebased'],
    timeline: 'current',
    kind: 'refresh',
  });
  results.push(await refreshRates({ ...common, source: createFxRatesSource(local.settings, 'sample') }));
  for (const run of results)
    log(`  ${run.market}/${run.view}: ${run.outcome}, ${run.counts.added} added${run.error ? ` (${run.error})` : ''}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
