import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { odata } from '../storage/sdk';
import type { Settings } from '../config/settings';
import type { StorageClients } from '../storage/clients';
import { startOfDay } from '../core/dates';
import { newestFirstKey } from '../storage/keys';
import { redact } from '../observability/redact';

/**
 * The run ledger: one entity per run (refresh, ingest, upload) and per upload attempt, newest first;
 * per market/view/timeline the last successful run, and for the health endpoint the last successful
 * and the last failed current refresh.
 * A record storage does not take (storage down) is not lost: it waits in the outbox, a JSON Lines file
 * on local disk (LEDGER_OUTBOX_DIR, default the OS temp folder), and is sent with the next record that
 * storage takes.
 */

export type RunOutcome = 'succeeded' | 'failed';

export interface RunCounts {
  read: number;
  rejected: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  entitiesWritten: number;
}

export interface RunRecord {
  runId: string;
  kind: string;
  source: string;
  market: string;
  view: string;
  timeline: string;
  asOf: string;
  startedAt: string;
  durationMs: number;
  outcome: RunOutcome;
  error: string | null;
  /** Something worth knowing about a successful run (e.g. no planned price changes). */
  note?: string;
  counts: RunCounts;
  archive: string | null;
  rejectedReport: string | null;
}

const LEDGER_PARTITION = 'runs';
const STATUS_PARTITION = 'lastSuccess';
const REFRESH_PARTITION = 'lastRefresh';
const FAILURE_PARTITION = 'lastFailure';

/**
 * A backfill: a run that did not fetch the list in force on the day it ran — an ingest or an
 * upload (a file is of whatever day it is given), or a refresh as of a day before the UTC day it
 * started on. The other runs are current refreshes, the only ones health counts.
 */
function isBackfill(run: Pick<RunRecord, 'kind' | 'asOf' | 'startedAt'>): boolean {
  return run.kind !== 'refresh' || run.asOf < run.startedAt.slice(0, 'YYYY-MM-DD'.length);
}

export interface LedgerOptions {
  /** The outbox file (ledgerOutbox). */
  outbox: string;
  /** Whether the run updates its market/view/timeline status (last success, last refresh or failure); false for upload attempts. */
  lastSuccess?: boolean;
}

/** The outbox of this installation's ledger (one per table name: installations may share a machine). */
export function ledgerOutbox(storage: StorageClients, settings: Pick<Settings, 'LEDGER_OUTBOX_DIR'>): string {
  return path.join(settings.LEDGER_OUTBOX_DIR ?? os.tmpdir(), `csp-ledger-outbox-${storage.names.tables.runs}.jsonl`);
}

interface OutboxEntry {
  run: RunRecord;
  lastSuccess: boolean;
}

/**
 * Records the run; when storage fails, keeps it in the outbox and throws. Once a record is taken, the
 * ones waiting in the outbox follow.
 */
export async function recordRun(storage: StorageClients, run: RunRecord, options: LedgerOptions): Promise<void> {
  const lastSuccess = options.lastSuccess ?? true;
  try {
    await writeRun(storage, run, lastSuccess);
  } catch (e) {
    const entry: OutboxEntry = { run, lastSuccess };
    await fs.promises.mkdir(path.dirname(options.outbox), { recursive: true });
    await fs.promises.appendFile(options.outbox, `${JSON.stringify(entry)}\n`);
    throw e;
  }
  await flushOutbox(storage, options.outbox);
}

/** Sends what waits in the outbox; what storage still refuses goes back into it. */
async function flushOutbox(storage: StorageClients, outbox: string): Promise<void> {
  // Claimed by a rename, so that two runs of this process never send the same records twice.
  const claimed = `${outbox}.${process.pid}.${Date.now()}.sending`;
  try {
    await fs.promises.rename(outbox, claimed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const lines = (await fs.promises.readFile(claimed, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const unsent: string[] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as OutboxEntry;
    try {
      await writeRun(storage, entry.run, entry.lastSuccess);
    } catch {
      unsent.push(line);
    }
  }
  if (unsent.length > 0) await fs.promises.appendFile(outbox, `${unsent.join('\n')}\n`);
  await fs.promises.rm(claimed, { force: true });
}

async function writeRun(storage: StorageClients, run: RunRecord, lastSuccess: boolean): Promise<void> {
  const { counts, ...rest } = run;
  const entity = {
    partitionKey: LEDGER_PARTITION,
    // Newest first, so that recentRuns is the first page of the partition.
    rowKey: `${newestFirstKey(run.startedAt)}_${run.runId}`,
    ...rest,
    ...counts,
    error: run.error === null ? undefined : redact(run.error),
    archive: run.archive ?? undefined,
    rejectedReport: run.rejectedReport ?? undefined,
  };
  await storage.table(storage.names.tables.runs).upsertEntity(entity, 'Replace');
  if (!lastSuccess) return;
  const status = storage.table(storage.names.tables.runStatus);
  const rowKey = `${run.market}|${run.view}|${run.timeline}`;
  if (run.outcome === 'succeeded')
    await status.upsertEntity({ ...entity, partitionKey: STATUS_PARTITION, rowKey }, 'Replace');
  if (!isBackfill(run)) {
    const partitionKey = run.outcome === 'succeeded' ? REFRESH_PARTITION : FAILURE_PARTITION;
    await status.upsertEntity({ ...entity, partitionKey, rowKey }, 'Replace');
  }
}

function runOf(e: Record<string, unknown>): RunRecord {
  const n = (k: string) => Number(e[k] ?? 0);
  const s = (k: string) => (typeof e[k] === 'string' ? e[k] : null);
  return {
    runId: e.runId as string,
    kind: e.kind as string,
    source: e.source as string,
    market: e.market as string,
    view: e.view as string,
    timeline: e.timeline as string,
    asOf: e.asOf as string,
    startedAt: e.startedAt as string,
    durationMs: n('durationMs'),
    outcome: e.outcome as RunOutcome,
    error: s('error'),
    ...(typeof e.note === 'string' ? { note: e.note } : {}),
    counts: {
      read: n('read'),
      rejected: n('rejected'),
      added: n('added'),
      changed: n('changed'),
      removed: n('removed'),
      unchanged: n('unchanged'),
      entitiesWritten: n('entitiesWritten'),
    },
    archive: s('archive'),
    rejectedReport: s('rejectedReport'),
  };
}

/** Which runs findRuns returns; every field but limit is optional. */
export interface RunFilter {
  market?: readonly string[];
  view?: readonly string[];
  outcome?: RunOutcome;
  /** The first UTC day (YYYY-MM-DD) a run started on. */
  from?: string;
  /** The last UTC day a run started on. */
  to?: string;
  limit: number;
}

/** Any of the values, each clause escaped by odata (which quotes a value only inside a comparison). */
const anyOf = (values: readonly string[], clause: (value: string) => string) => `(${values.map(clause).join(' or ')})`;

/** The start of the UTC day after `day`. */
const startOfDayAfter = (day: string) => new Date(Date.parse(startOfDay(day)) + 86_400_000).toISOString();

/**
 * The runs that match, newest first, at most `limit`. A RowKey starts with the run's start as a
 * newestFirstKey (13 digits) and goes on with `_`: a range of days is a RowKey range, and `~`
 * (after `_`) closes it past every key of its instant.
 */
export async function findRuns(storage: StorageClients, filter: RunFilter): Promise<RunRecord[]> {
  const clauses = [odata`PartitionKey eq ${LEDGER_PARTITION}`];
  if (filter.from) clauses.push(odata`RowKey lt ${`${newestFirstKey(startOfDay(filter.from))}~`}`);
  if (filter.to) clauses.push(odata`RowKey gt ${`${newestFirstKey(startOfDayAfter(filter.to))}~`}`);
  if (filter.market) clauses.push(anyOf(filter.market, (market) => odata`market eq ${market}`));
  if (filter.view) clauses.push(anyOf(filter.view, (view) => odata`view eq ${view}`));
  if (filter.outcome) clauses.push(odata`outcome eq ${filter.outcome}`);
  const table = storage.table(storage.names.tables.runs);
  const runs: RunRecord[] = [];
  const pages = table
    .listEntities({ queryOptions: { filter: clauses.join(' and ') } })
    .byPage({ maxPageSize: filter.limit });
  try {
    for await (const page of pages) {
      runs.push(...page.slice(0, filter.limit - runs.length).map(runOf));
      if (runs.length >= filter.limit) break;
    }
  } catch (e) {
    // No ledger table yet: no run was ever recorded.
    if ((e as { statusCode?: number }).statusCode === 404) return [];
    throw e;
  }
  return runs;
}

/** The most recent runs, newest first. */
export function recentRuns(storage: StorageClients, limit: number): Promise<RunRecord[]> {
  return findRuns(storage, { limit });
}

async function statusRows(storage: StorageClients, partition: string): Promise<RunRecord[]> {
  const table = storage.table(storage.names.tables.runStatus);
  const result: RunRecord[] = [];
  const filter = odata`PartitionKey eq ${partition}`;
  for await (const e of table.listEntities({ queryOptions: { filter } })) result.push(runOf(e));
  return result;
}

/** Last successful run (of any kind) of every market/view/timeline. */
export function lastSuccesses(storage: StorageClients): Promise<RunRecord[]> {
  return statusRows(storage, STATUS_PARTITION);
}

/**
 * Last successful current refresh of every market/view/timeline. A ledger written before these
 * were kept apart has only its last successes: those that are current refreshes count too.
 */
export async function lastRefreshes(storage: StorageClients): Promise<RunRecord[]> {
  const byPlace = new Map<string, RunRecord>();
  const older = (await lastSuccesses(storage)).filter((run) => !isBackfill(run));
  for (const run of [...older, ...(await statusRows(storage, REFRESH_PARTITION))]) {
    const place = `${run.market}|${run.view}|${run.timeline}`;
    const known = byPlace.get(place);
    if (!known || run.startedAt > known.startedAt) byPlace.set(place, run);
  }
  return [...byPlace.values()];
}

/** Last failed current refresh of every market/view/timeline. */
export function lastFailures(storage: StorageClients): Promise<RunRecord[]> {
  return statusRows(storage, FAILURE_PARTITION);
}
