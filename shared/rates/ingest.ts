import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { FileFault } from '../files/fault';
import { parseRatesFile, type ParsedRates } from '../formats/ratesFile';
import type { Logger } from '../observability/logger';
import { openDecompressed } from '../formats/compression';
import type { FxRatesSource, RatesDownload } from './sources/source';
import { archiveExtension, archiveFile } from '../storage/archive';
import type { StorageClients } from '../storage/clients';
import { rateSnapshotId, rateSnapshotOnOrBefore, ratesOfSnapshot, saveRateSnapshot } from './snapshots';
import type { RunCounts, RunRecord } from '../runs/ledger';
import { checkRejectedShare, recordedRun, type PipelineRun, type RunContext } from '../runs/recordedRun';

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
  /**
   * `file`: the download is a file that states its own day or month, which the as-of day must
   * agree with (see fileAsOf); `request` (the default): a live fetch of the as-of day.
   */
  dayFrom?: 'request' | 'file';
  /** How the caller gave the as-of day (e.g. `--as-of`), for refusals; undefined when it is a default. */
  asOfGivenAs?: string;
}

/** The run ledger's market/view/timeline of rate runs (the health endpoint then lists their freshness too). */
export const RATES_RUN = { market: 'ALL', view: 'fxrates', timeline: 'current' } as const;

/** Rate files are a few kilobytes; anything far larger is not one and is refused before it fills memory. */
const MAX_RATES_BYTES = 16 * 1024 * 1024;
/** The first bytes of a download, enough for archiveExtension to tell the format past a BOM and blanks. */
const ARCHIVE_HEAD_BYTES = 64;

export function ingestRates(req: RatesIngestRequest): Promise<PipelineRun> {
  return recordedRun({
    storage: req.storage,
    settings: req.settings,
    logger: req.logger,
    identity: { kind: req.kind, source: req.source, ...RATES_RUN, asOf: req.asOf },
    lockName: 'fxrates',
    eventName: 'RatesIngestRun',
    rejectedReportName: (run) => `fxrates/${run.asOf}/${run.runId}.rejected.csv`,
    work: (context) => ingestLocked(req, context),
  });
}

/** The pipeline's steps, run under the exchange-rate lock. */
async function ingestLocked(req: RatesIngestRequest, { run, reject, tmp }: RunContext): Promise<void> {
  const counts = run.counts;
  const raw = await readAndArchive(req, run, tmp);

  const parsed = parseRatesFile((await readCapped(await openDecompressed(raw.file))).toString('utf8'));
  counts.read = parsed.read;
  for (const rejected of parsed.rejected) reject(rejected.line, rejected.reason);
  if (parsed.rates.length === 0)
    throw new FileFault(`no valid exchange rates (${counts.read} read, ${counts.rejected} rejected)`);
  checkRejectedShare(counts, req.settings, 'rates', (message) => new FileFault(message));
  // The run is recorded under the day its rates are stored under.
  const asOf = req.dayFrom === 'file' ? fileAsOf(parsed, req) : req.asOf;
  run.asOf = asOf;

  await countChanges(req.storage, asOf, parsed.rates, counts);
  const createdAt = nowInstant();
  counts.entitiesWritten = await saveRateSnapshot(
    req.storage,
    {
      id: rateSnapshotId(asOf, createdAt),
      asOf,
      source: req.source,
      rateDate: parsed.rateDate,
      rates: parsed.rates.length,
      sha256: raw.sha256,
      archive: raw.archive,
      runId: run.runId,
      createdAt,
    },
    parsed.rates,
  );
}

/**
 * The as-of day of a file's rates. An ECB file is the rates of its `<Cube time>` day: stored
 * under it, and an as-of day given for another day is refused. A Partner Center FX file is the
 * rates of its Month, republished during the month: it keeps the as-of day, which must lie in
 * that month. Throws FileFault naming the as-of day as the caller gave it.
 */
function fileAsOf(parsed: ParsedRates, req: RatesIngestRequest): string {
  const given =
    req.asOfGivenAs === undefined ? `the as-of day ${req.asOf} (the default)` : `${req.asOfGivenAs} ${req.asOf}`;
  if (parsed.rateDate !== null) {
    if (req.asOfGivenAs !== undefined && req.asOf !== parsed.rateDate)
      throw new FileFault(
        `the file holds the rates of ${parsed.rateDate} (its <Cube time>), not of ${given}: ` +
          `leave ${req.asOfGivenAs} out or give ${parsed.rateDate}`,
      );
    return parsed.rateDate;
  }
  const month = req.asOf.slice(0, 7).replace('-', '');
  const others = [...new Set(parsed.rates.map((rate) => rate.month))].filter((m) => m !== month);
  if (others.length > 0)
    throw new FileFault(
      `the file holds the rates of month ${others.join(', ')} (its Month column); ${given} is outside it`,
    );
  return req.asOf;
}

/** Reads the download (capped) into a local file and archives the raw bytes, before any parsing. */
async function readAndArchive(
  req: RatesIngestRequest,
  run: RunRecord,
  tmp: string,
): Promise<{ file: string; sha256: string; archive: string }> {
  const download = await req.open();
  const raw = await readCapped(download.body);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const file = path.join(tmp, 'raw');
  await fs.promises.writeFile(file, raw);
  const archived = await archiveFile(
    req.storage,
    `fxrates/${req.asOf}/${sha256}.${archiveExtension(raw.subarray(0, ARCHIVE_HEAD_BYTES))}`,
    file,
    {
      source: req.source,
      origin: encodeURIComponent(download.origin),
      runId: run.runId,
      bytes: String(raw.length),
    },
  );
  run.archive = archived.name;
  return { file, sha256, archive: archived.name };
}

/** Counts the rates added, changed, unchanged and removed against the rates in force on the as-of day. */
async function countChanges(
  storage: StorageClients,
  asOf: string,
  rates: ParsedRates['rates'],
  counts: RunCounts,
): Promise<void> {
  const previous = await rateSnapshotOnOrBefore(storage, asOf);
  const before = new Map(
    (previous ? await ratesOfSnapshot(storage, previous) : []).map((rate) => [rate.currency, rate.usdPerUnit]),
  );
  for (const rate of rates) {
    const old = before.get(rate.currency);
    if (old === undefined) counts.added++;
    else if (old !== rate.usdPerUnit) counts.changed++;
    else counts.unchanged++;
    before.delete(rate.currency);
  }
  counts.removed = before.size;
}

async function readCapped(body: Readable | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_RATES_BYTES)
      throw new FileFault(`the exchange-rate file exceeds ${MAX_RATES_BYTES} bytes: not a rates file`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Fetches today's (or the as-of day's) rates from a source and stores them. */
export function refreshRates(
  req: Omit<RatesIngestRequest, 'open' | 'source' | 'kind' | 'dayFrom'> & { source: FxRatesSource },
): Promise<PipelineRun> {
  return ingestRates({
    ...req,
    kind: 'refresh',
    source: req.source.name,
    dayFrom: req.source.dayFrom,
    open: () => req.source.fetchRates({ asOf: req.asOf }),
  });
}
