import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { FileFault } from '../files/fault';
import { csvCell } from '../formats/csv';
import { MAX_FILE_ROWS, MAX_REASON_CHARS } from '../formats/limits';
import type { Logger } from '../observability/logger';
import { redact } from '../observability/redact';
import { writeReport } from '../storage/archive';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { withLock } from './lock';
import { ledgerOutbox, recordRun, type RunCounts, type RunRecord } from './ledger';

/**
 * The life of every pipeline run (price sheets, exchange rates): a ledger record, a private temp
 * folder, the lock of its market/view, the rejected-rows report, the ledger entry and the summary
 * event — whatever happens inside.
 */

export interface RunContext {
  run: RunRecord;
  /** Rejected rows as report lines (`line,"reason"`); the first REPORTED_REJECTS are kept. */
  reject: (line: number, reason: string) => void;
  tmp: string;
}

export interface RunPlan {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
  identity: Pick<RunRecord, 'kind' | 'source' | 'market' | 'view' | 'timeline' | 'asOf'>;
  lockName: string;
  /** Name of the summary event (a dashboard or alert is built on it). */
  eventName: string;
  /** Blob name of the rejected-rows report, in the reports container. */
  rejectedReportName: (run: RunRecord) => string;
  /** An error that means success after all (e.g. no planned changes): returns the note to record. */
  successNote?: (error: unknown) => string | undefined;
  work: (context: RunContext) => Promise<void>;
}

export type PipelineRun = RunRecord & {
  /** The run failed with a FileFault (see there): derived here, the one place that looks at the failure. */
  fileFault?: true;
};

/** Rejected rows listed one by one in the report (the count is always complete). */
const REPORTED_REJECTS = 10000;

const emptyCounts = (): RunCounts => ({
  read: 0,
  rejected: 0,
  added: 0,
  changed: 0,
  removed: 0,
  unchanged: 0,
  entitiesWritten: 0,
});

/** Runs the plan and returns its ledger record. */
export async function recordedRun(plan: RunPlan): Promise<PipelineRun> {
  const { storage, logger } = plan;
  const started = Date.now();
  const run: RunRecord = {
    runId: logger.correlationId,
    ...plan.identity,
    startedAt: nowInstant(new Date(started)),
    durationMs: 0,
    outcome: 'failed',
    error: null,
    counts: emptyCounts(),
    archive: null,
    rejectedReport: null,
  };
  const rejects: string[] = [];
  const reject = (line: number, reason: string) => {
    run.counts.rejected++;
    if (rejects.length < REPORTED_REJECTS) rejects.push(`${line},${csvCell(shortened(reason), 'always')}\n`);
    stopWhenRejectedShareCertain(run.counts, plan.settings);
  };
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'csp-run-'));
  let failure: unknown;
  try {
    await ensureStorage(storage);
    await withLock(storage, plan.lockName, plan.settings.REFRESH_LOCK_WAIT_SECONDS, () =>
      plan.work({ run, reject, tmp }),
    );
    run.outcome = 'succeeded';
  } catch (e) {
    const note = plan.successNote?.(e);
    if (note !== undefined) {
      run.outcome = 'succeeded';
      run.note = note;
    } else {
      failure = e;
      // Redacted once here for every reader: ledger, CLI, upload report, a timer's exception.
      run.error = redact((e as Error).message);
      logger.error(`${plan.eventName} failed`, {
        market: run.market,
        view: run.view,
        asOf: run.asOf,
        error: run.error,
      });
    }
  } finally {
    run.durationMs = Date.now() - started;
    if (run.counts.rejected > 0) {
      const more =
        run.counts.rejected > rejects.length
          ? `# ${run.counts.rejected - rejects.length} more rejected rows not listed\n`
          : '';
      const text = `line,reason\n${rejects.join('')}${more}`;
      run.rejectedReport = await writeReport(storage, plan.rejectedReportName(run), text, 'text/csv').catch(() => null);
    }
    await recordRun(storage, run, { outbox: ledgerOutbox(storage, plan.settings) }).catch((e) =>
      logger.error('could not record the run; it waits in the ledger outbox', { error: (e as Error).message }),
    );
    const { counts, ...summary } = run;
    logger.event(plan.eventName, { ...summary, ...counts });
    // maxRetries: a stream closed by a failed read may still be creating its file while the folder is removed.
    await fs.promises.rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
  return failure instanceof FileFault ? { ...run, fileFault: true } : run;
}

const shortened = (reason: string) =>
  reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;

/**
 * Fails the run as soon as its rejected rows are certain to end above REJECTED_ROWS_MAX_PERCENT: a file
 * holds at most MAX_FILE_ROWS rows (boundRowCount), so once more than that share of MAX_FILE_ROWS is
 * rejected, no rest of the file can bring the share back under the limit. Reading on (a zip of two
 * million identical rows, each a rejected duplicate) would only cost time. Duplicates count as rejected.
 */
function stopWhenRejectedShareCertain(counts: RunCounts, settings: Settings): void {
  const certain = (MAX_FILE_ROWS * settings.REJECTED_ROWS_MAX_PERCENT) / 100;
  if (counts.rejected > certain) {
    throw new FileFault(
      `${counts.rejected} of the first ${counts.read} rows rejected: more than ${settings.REJECTED_ROWS_MAX_PERCENT} % ` +
        `of the most a file may hold (${MAX_FILE_ROWS} rows), so the file was not read further; nothing was published`,
    );
  }
}

/** Refuses a file with more rows than any file may hold (MAX_FILE_ROWS); called as each row is counted. */
export function boundRowCount(counts: RunCounts): void {
  if (counts.read > MAX_FILE_ROWS) {
    throw new FileFault(`the file holds more than ${MAX_FILE_ROWS} rows, the most a price or rate file may hold`);
  }
}

/** Fails the run, before anything is published, when more rows were rejected than the setting allows. */
export function checkRejectedShare(
  counts: RunCounts,
  settings: Settings,
  what: string,
  fail: (message: string) => Error,
): void {
  const percent = (counts.rejected / Math.max(counts.read, 1)) * 100;
  if (percent > settings.REJECTED_ROWS_MAX_PERCENT) {
    throw fail(
      `${counts.rejected} of ${counts.read} ${what} rejected (${percent.toFixed(2)} %, limit ${settings.REJECTED_ROWS_MAX_PERCENT} %); nothing was published`,
    );
  }
}
