import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import type { Logger } from '../observability/logger';
import { ledgerOutbox, recordRun, type RunRecord } from './ledger';
import type { StorageClients } from '../storage/clients';
import { MalformedMessage, messageBody, parseMessage } from '../storage/queues';
import type { z } from 'zod';

/**
 * A queued run the Functions host gave up on: its message failed maxDequeueCount deliveries (or could
 * not be read at all) and was moved to the poison queue. Recorded as a failed run of its market and view,
 * so that health and the alerts on failed runs see it even when no delivery got as far as the pipeline
 * (a message that crashed the worker every time, or that did not say which run it was).
 */
export interface PoisonedRun {
  identity: Pick<RunRecord, 'kind' | 'source' | 'market' | 'view' | 'timeline' | 'asOf'>;
  /** The poison queue the message was read from. */
  queue: string;
  /** Why it was refused, when the message itself is at fault. */
  problem?: string;
}

export async function recordPoisonedRun(
  storage: StorageClients,
  settings: Pick<Settings, 'LEDGER_OUTBOX_DIR'>,
  logger: Logger,
  poisoned: PoisonedRun,
): Promise<RunRecord> {
  // The poison queue's copy no longer carries the dequeue count: it was host.json's maxDequeueCount.
  const error =
    `gave up: the queued run failed maxDequeueCount deliveries and was moved to ${poisoned.queue}` +
    (poisoned.problem ? ` (${poisoned.problem})` : '; the earlier runs of this market and view hold each error');
  const run: RunRecord = {
    runId: `${logger.correlationId}-poison`,
    ...poisoned.identity,
    startedAt: nowInstant(),
    durationMs: 0,
    outcome: 'failed',
    error,
    counts: { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 },
    archive: null,
    rejectedReport: null,
  };
  await recordRun(storage, run, { outbox: ledgerOutbox(storage, settings) });
  logger.event('QueuedRunPoisoned', {
    kind: run.kind,
    market: run.market,
    view: run.view,
    timeline: run.timeline,
    asOf: run.asOf,
    queue: poisoned.queue,
    error,
  });
  return run;
}

type Identity = PoisonedRun['identity'];

/**
 * A poison-queue message of a queued run: its run identity read from the message (as far as a malformed
 * one tells it: its string fields, cut short), recorded as a failed run.
 */
export async function recordPoisonedMessage<T>(
  deps: { storage: StorageClients; settings: Pick<Settings, 'LEDGER_OUTBOX_DIR'>; logger: Logger },
  poison: {
    schema: z.ZodType<T>;
    what: string;
    queue: string;
    message: unknown;
    identity: (fields: Record<string, string>) => Identity;
  },
): Promise<RunRecord> {
  let problem: string | undefined;
  let body: unknown;
  try {
    body = parseMessage(poison.schema, poison.what, poison.message);
  } catch (e) {
    if (!(e instanceof MalformedMessage)) throw e;
    problem = e.message;
    body = messageBody(poison.message);
  }
  const fields: Record<string, string> = {};
  for (const key of ['source', 'market', 'view', 'timeline', 'asOf']) {
    const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
    fields[key] = typeof value === 'string' ? value.slice(0, 40) : '';
  }
  return recordPoisonedRun(deps.storage, deps.settings, deps.logger, {
    identity: poison.identity(fields),
    queue: poison.queue,
    problem,
  });
}
