import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSettings } from '../shared/config/settings';
import type { PriceView } from '../shared/prices/views';
import { createLogger, stderrSink } from '../shared/observability/logger';
import { ingestPriceSheet } from '../shared/prices/ingest';
import { createStorageClients } from '../shared/storage/clients';

/**
 * One ingest in a process of its own, so that its peak RSS is measured alone:
 * prints `{ durationMs, cpuSeconds, outcome, error, counts, maxRssMB }` as JSON on stdout.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      connection: { type: 'string' },
      prefix: { type: 'string' },
      'as-of': { type: 'string' },
      view: { type: 'string' },
    },
  });
  const settings = loadSettings({ AzureWebJobsStorage: values.connection, STORAGE_NAME_PREFIX: values.prefix });
  const storage = createStorageClients(settings);
  const file = values.file as string;
  const started = Date.now();
  const run = await ingestPriceSheet({
    storage,
    settings,
    logger: createLogger(stderrSink),
    open: async () => ({ body: fs.createReadStream(file), format: 'partnercenter-csv', origin: 'bench' }),
    kind: 'ingest',
    source: 'bench',
    market: 'US',
    view: (values.view ?? 'azure_consumption') as PriceView,
    timeline: 'current',
    asOf: values['as-of'] as string,
  });
  const durationMs = Date.now() - started;
  const usage = process.resourceUsage();
  const maxRssMB = Math.round(usage.maxRSS / 1024);
  // CPU time of the whole process (all threads: GC's too), in seconds: where it nears durationMs, the
  // ingest is bound by its own CPU rather than by the storage's round trips.
  const cpuSeconds = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1e4) / 100;
  const { outcome, error, counts } = run;
  process.stdout.write(`${JSON.stringify({ durationMs, cpuSeconds, outcome, error, counts, maxRssMB })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
