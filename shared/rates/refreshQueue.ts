import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ratesSourceSchema, type Settings } from '../config/settings';
import { parseDay } from '../core/dates';
import type { Logger } from '../observability/logger';
import type { PipelineRun } from '../runs/recordedRun';
import { recordPoisonedMessage } from '../runs/poisoned';
import type { StorageClients } from '../storage/clients';
import { poisonQueue } from '../storage/names';
import { parseMessage, queueClient, sendMessages } from '../storage/queues';
import { refreshRates } from './ingest';
import { createFxRatesSource } from './sources/factory';

/**
 * The exchange-rate refresh on the `rate-refresh` queue: one message per rate source (the configured
 * one; the CLI may name another), run by a queue-triggered worker. See shared/prices/refreshQueue.ts.
 */

export const rateRefreshMessageSchema = z.object({
  planId: z.string().min(1).max(100),
  asOf: z.string().refine((day) => parseDay(day) !== null, 'a day YYYY-MM-DD'),
  source: ratesSourceSchema,
});

export type RateRefreshMessage = z.infer<typeof rateRefreshMessageSchema>;

export function planRateRefresh(request: { sources: readonly string[]; asOf: string }): {
  planId: string;
  messages: RateRefreshMessage[];
} {
  const planId = randomUUID();
  return { planId, messages: request.sources.map((source) => ({ planId, asOf: request.asOf, source })) };
}

export function enqueueRateRefresh(storage: StorageClients, plan: { messages: RateRefreshMessage[] }): Promise<number> {
  return sendMessages(queueClient(storage, 'rateRefresh'), plan.messages);
}

/** Runs one queued rate refresh; throws for a malformed message and for a failed run that is not the file's fault. */
export async function runRateRefreshMessage(
  deps: { storage: StorageClients; settings: Settings; logger: Logger },
  message: unknown,
): Promise<PipelineRun> {
  const job = parseMessage(rateRefreshMessageSchema, 'rate refresh', message);
  deps.logger.info('queued rate refresh', { ...job });
  const run = await refreshRates({ ...deps, source: createFxRatesSource(deps.settings, job.source), asOf: job.asOf });
  if (run.outcome === 'failed' && !run.fileFault)
    throw new Error(`exchange-rate refresh from ${job.source} as of ${job.asOf} failed: ${run.error}`);
  return run;
}

/** A message the host moved to `rate-refresh-poison`: a failed run in the ledger. */
export function recordPoisonedRateRefresh(
  deps: { storage: StorageClients; settings: Settings; logger: Logger },
  message: unknown,
): Promise<unknown> {
  return recordPoisonedMessage(deps, {
    schema: rateRefreshMessageSchema,
    what: 'rate refresh',
    queue: poisonQueue(deps.storage.names.queues.rateRefresh),
    message,
    // The identity rate runs have in the ledger (shared/rates/ingest RATES_RUN).
    identity: ({ source, asOf }) => ({
      kind: 'refresh',
      source,
      market: 'ALL',
      view: 'fxrates',
      timeline: 'current',
      asOf,
    }),
  });
}
