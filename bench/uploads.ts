import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { freePort, startAzurite } from '../runtime/azurite';
import { loadSettings } from '../shared/config/settings';
import { createLogger, memorySink } from '../shared/observability/logger';
import { processPriceUpload } from '../shared/uploads/priceDrop';
import { createStorageClients } from '../shared/storage/clients';
import { ensureStorage } from '../shared/storage/ensure';
import { HEAP_FLAGS } from './heap';
import { writeSyntheticSheet } from './syntheticSheet';

const run = promisify(execFile);

/**
 * The price upload's benchmark: a generated zip upload through the blob handler (download stream → plan →
 * the price pipeline → report and move) next to `npm run cli -- ingest` of the same file, in the
 * same run. Each phase runs in a child process of its own (peak RSS measured alone) against a
 * fresh Azurite on free ports (neither phase pays for the other's data).
 * Targets: upload rows/s within 10 % of the CLI's; peak RSS ≤ 250 MB.
 */

const DEFAULT_ROWS = 500_000;
const AS_OF = '2026-11-01';
/** Room for a phase's output: the CLI's log and summary, and the BENCH line. */
const PHASE_OUTPUT_BYTES = 16 << 20;
const BLOB_NAME = `azure_consumption/US/${AS_OF}/bench-sheet.zip`;

interface PhaseResult {
  durationMs: number;
  maxRssMB: number;
  outcome: unknown;
}

export async function runUploadBench(options: { rows?: number; workDir?: string }): Promise<Record<string, unknown>> {
  const rows = options.rows ?? DEFAULT_ROWS;
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-uploads-'));
  const file = path.join(workDir, `upload-${rows}.zip`);
  try {
    return await compare(file, rows);
  } finally {
    await fs.promises.rm(options.workDir ? file : workDir, { recursive: true, force: true });
  }
}

async function compare(file: string, rows: number): Promise<Record<string, unknown>> {
  const generated = await writeSyntheticSheet(file, { rows, seed: 5, format: 'zip' });

  const cli = await withFreshAzurite((connection) => phase(['cli', '--file', file, '--connection', connection]));
  const upload = await withFreshAzurite(async (connection) => {
    const storage = createStorageClients(loadSettings({ AzureWebJobsStorage: connection }));
    await ensureStorage(storage);
    await storage.blobs
      .getContainerClient(storage.names.containers.priceUploads)
      .getBlockBlobClient(BLOB_NAME)
      .uploadFile(file);
    return phase(['upload', '--connection', connection]);
  });

  const perSecond = (result: PhaseResult) => Math.round(rows / (result.durationMs / 1000));
  const uploadVsCli = Math.round((perSecond(upload) / perSecond(cli)) * 100) / 100;
  return {
    rows,
    zipMB: Math.round(generated.bytes / 1e5) / 10,
    cliIngest: {
      seconds: cli.durationMs / 1000,
      rowsPerSecond: perSecond(cli),
      peakRssMB: cli.maxRssMB,
      outcome: cli.outcome,
    },
    blobUpload: {
      seconds: upload.durationMs / 1000,
      rowsPerSecond: perSecond(upload),
      peakRssMB: upload.maxRssMB,
      outcome: upload.outcome,
    },
    uploadVsCli,
    targets: {
      'upload rows/s within 10 % of the CLI': uploadVsCli >= 0.9,
      'peak RSS ≤ 250 MB': Math.max(cli.maxRssMB, upload.maxRssMB) <= 250,
    },
  };
}

async function withFreshAzurite<T>(work: (connection: string) => Promise<T>): Promise<T> {
  const azurite = await startAzurite({
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
  });
  try {
    return await work(azurite.connectionString);
  } finally {
    await azurite.stop();
  }
}

async function phase(args: string[]): Promise<PhaseResult> {
  const { stdout } = await run(process.execPath, [...HEAP_FLAGS, __filename, ...args], {
    maxBuffer: PHASE_OUTPUT_BYTES,
  });
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('BENCH '));
  if (!line) throw new Error(`bench phase ${args[0]} printed no result:\n${stdout}`);
  return JSON.parse(line.slice('BENCH '.length)) as PhaseResult;
}

/** Child side: one phase, then its duration and this process's peak RSS on a `BENCH {...}` line. */
async function child(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { file: { type: 'string' }, connection: { type: 'string' } },
    allowPositionals: true,
  });
  const connection = values.connection as string;
  const started = Date.now();
  let outcome: unknown;
  if (positionals[0] === 'cli') {
    process.env.AzureWebJobsStorage = connection;
    // Imported here: the CLI module reads nothing at load time, but the parent needs none of it.
    const { main } = await import('../cli/main');
    const code = await main([
      'ingest',
      values.file as string,
      '--market',
      'US',
      '--view',
      'azure_consumption',
      '--as-of',
      AS_OF,
      '--json',
    ]);
    outcome = { exitCode: code };
  } else {
    const settings = loadSettings({ AzureWebJobsStorage: connection });
    const result = await processPriceUpload({
      storage: createStorageClients(settings),
      settings,
      logger: createLogger(memorySink()),
      blobName: BLOB_NAME,
    });
    outcome =
      result.status === 'gone' ? result : { status: result.status, reason: result.reason, counts: result.counts };
  }
  const durationMs = Date.now() - started;
  process.stdout.write(
    `\nBENCH ${JSON.stringify({ durationMs, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), outcome })}\n`,
  );
}

if (require.main === module) {
  const standalone = process.argv[2] === undefined || process.argv[2].startsWith('--rows');
  const task = standalone
    ? runUploadBench({
        rows: Number(parseArgs({ options: { rows: { type: 'string' } } }).values.rows ?? DEFAULT_ROWS),
      }).then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
    : child();
  task.catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
