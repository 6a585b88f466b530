import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Settings } from '../config/settings';
import { nowInstant } from '../domain/dates';
import { StructuralError } from '../domain/priceRecords';
import { parseRatesFile } from '../domain/ratesFiles';
import type { Logger } from '../observability/logger';
import { openDecompressed } from '../parsing/openDecompressed';
import type { FxRatesSource, RatesDownload } from '../sources/fxRatesPort';
import { archiveFile, fileExtension, writeReport } from '../storage/archive';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { rateSnapshotId, rateSnapshotOnOrBefore, ratesOfSnapshot, saveRateSnapshot } from '../storage/rates';
import { withLock } from '../storage/refreshLock';
import { recordRun, type RunRecord } from '../storage/runLedger';

/**
 * The exchange-rate pipeline (timer, `refresh rates`, `ingest <fx file>`), built like the price
 * pipeline and on its parts: read the download → archive the raw bytes before parsing → parse
 * and validate → compare with the rates in force on the as-of day (for the counts) → store the
 * fetch (rates first, snapshot last) → record the run in the ledger. Every fetch is kept with
 * its as-of day and source.
 */

export interface RatesIngestRequest {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
  open: () => Promise<RatesDownload>;
  kind: 'refresh' | 'ingest';
  source: string;
  asOf: string;
}

/** The run ledger's market/view/timeline of rate runs (the health endpoint then lists their freshness too). */
export const RATES_RUN = { market: 'ALL', view: 'fxrates', timeline: 'current' } as const;

/** Rate files are a few kilobytes; anything far larger is not one and is refused before it fills memory. */
const MAX_RATES_BYTES = 16 * 1024 * 1024;

export async function ingestRates(req: RatesIngestRequest): Promise<RunRecord> {
  const { storage, settings, logger } = req;
  const started = Date.now();
  const run: RunRecord = {
    runId: logger.correlationId,
    kind: req.kind,
    source: req.source,
    ...RATES_RUN,
    asOf: req.asOf,
    startedAt: nowInstant(new Date(started)),
    durationMs: 0,
    outcome: 'failed',
    error: null,
    counts: { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 },
    archive: null,
    rejectedReport: null,
  };
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'csp-rates-'));
  let rejects: string[] = [];
  try {
    await ensureStorage(storage);
    await withLock(storage, 'fxrates', settings.REFRESH_LOCK_WAIT_SECONDS, async () => {
      rejects = await ingestLocked(req, run, tmp);
    });
    run.outcome = 'succeeded';
  } catch (e) {
    run.error = (e as Error).message;
    logger.error('exchange-rate ingest failed', { asOf: req.asOf, source: req.source, error: run.error });
  } finally {
    run.durationMs = Date.now() - started;
    if (rejects.length > 0) {
      const name = `fxrates/${run.asOf}/${run.runId}.rejected.csv`;
      run.rejectedReport = await writeReport(storage, name, `line,reason\n${rejects.join('\n')}\n`, 'text/csv').catch(() => null);
    }
    await recordRun(storage, run).catch((e) => logger.error('could not record the run', { error: (e as Error).message }));
    logger.event('RatesIngestRun', { outcome: run.outcome, kind: run.kind, asOf: run.asOf, source: run.source, durationMs: run.durationMs, ...run.counts, error: run.error });
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
  return run;
}

/** Returns the rejected rows as report lines. */
async function ingestLocked(req: RatesIngestRequest, run: RunRecord, tmp: string): Promise<string[]> {
  const { storage, settings } = req;
  const counts = run.counts;

  const download = await req.open();
  const raw = await readCapped(download.body);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const rawFile = path.join(tmp, 'raw');
  await fs.promises.writeFile(rawFile, raw);
  const archived = await archiveFile(storage, `fxrates/${req.asOf}/${sha256}.${rawExtension(raw)}`, rawFile, {
    source: req.source,
    origin: encodeURIComponent(download.origin),
    runId: run.runId,
    bytes: String(raw.length),
  });
  run.archive = archived.name;

  const parsed = parseRatesFile((await readCapped(await openDecompressed(rawFile))).toString('utf8'));
  counts.read = parsed.read;
  counts.rejected = parsed.rejected.length;
  const rejects = parsed.rejected.map((r) => `${r.line},"${r.reason.replace(/"/g, '""')}"`);
  if (parsed.rates.length === 0) throw new StructuralError(`no valid exchange rates (${counts.read} read, ${counts.rejected} rejected)`);
  const rejectedPercent = (counts.rejected / Math.max(counts.read, 1)) * 100;
  if (rejectedPercent > settings.REJECTED_ROWS_MAX_PERCENT) {
    throw new StructuralError(
      `${counts.rejected} of ${counts.read} rates rejected (${rejectedPercent.toFixed(2)} %, limit ${settings.REJECTED_ROWS_MAX_PERCENT} %); nothing was stored`,
    );
  }

  const previous = await rateSnapshotOnOrBefore(storage, req.asOf);
  const before = new Map((previous ? await ratesOfSnapshot(storage, previous) : []).map((r) => [r.currency, r.usdPerUnit]));
  for (const rate of parsed.rates) {
    const old = before.get(rate.currency);
    if (old === undefined) counts.added++;
    else if (old !== rate.usdPerUnit) counts.changed++;
    else counts.unchanged++;
    before.delete(rate.currency);
  }
  counts.removed = before.size;

  const createdAt = nowInstant();
  counts.entitiesWritten = await saveRateSnapshot(
    storage,
    {
      id: rateSnapshotId(req.asOf, createdAt),
      asOf: req.asOf,
      source: req.source,
      rateDate: parsed.rateDate,
      rates: parsed.rates.length,
      sha256,
      archive: archived.name,
      runId: run.runId,
      createdAt,
    },
    parsed.rates,
  );
  return rejects;
}

function rawExtension(raw: Buffer): string {
  const ext = fileExtension(raw.subarray(0, 4));
  // fileExtension knows price sheets; an ECB file is XML.
  return ext === 'csv' && raw.subarray(0, 64).toString('utf8').trimStart().startsWith('<') ? 'xml' : ext;
}

async function readCapped(body: Readable | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_RATES_BYTES) throw new StructuralError(`the exchange-rate file exceeds ${MAX_RATES_BYTES} bytes: not a rates file`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Fetches today's (or the as-of day's) rates from a source and stores them. */
export function refreshRates(req: Omit<RatesIngestRequest, 'open' | 'source' | 'kind'> & { source: FxRatesSource }): Promise<RunRecord> {
  return ingestRates({ ...req, kind: 'refresh', source: req.source.name, open: () => req.source.fetchRates({ asOf: req.asOf }) });
}
