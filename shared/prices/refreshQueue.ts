import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { priceSourceSchema, type Settings } from '../config/settings';
import { parseDay } from '../core/dates';
import type { Logger } from '../observability/logger';
import type { PipelineRun } from '../runs/recordedRun';
import { recordPoisonedMessage } from '../runs/poisoned';
import type { StorageClients } from '../storage/clients';
import { poisonQueue } from '../storage/names';
import { parseMessage, queueClient, sendMessages } from '../storage/queues';
import { refreshPrices } from './refresh';
import { createPriceSheetSource } from './sources/factory';
import { priceViewSchema, type PriceView, type Timeline } from './views';

/**
 * The price refresh fanned out on the `price-refresh` queue: a plan is one message per market × view ×
 * timeline, all with the plan's id and as-of day; a queue-triggered worker runs one message through
 * the pipeline (refreshPrices for one market and view). Redelivery is harmless: the pipeline stores a
 * sheet equal to the snapshot it replaces as unchanged and writes nothing.
 */

export const priceRefreshMessageSchema = z.object({
  planId: z.string().min(1).max(100),
  market: z.string().regex(/^[A-Z]{2}$/, 'a two-letter market code such as US'),
  view: priceViewSchema,
  timeline: z.enum(['current', 'future']),
  asOf: z.string().refine((day) => parseDay(day) !== null, 'a day YYYY-MM-DD'),
  /** The source as PRICES_SOURCE names it: the CLI may enqueue another source than the configured one. */
  source: priceSourceSchema,
  /** A past month (YYYYMM) whose list to fetch (see PriceSheetRequest): a backfill the CLI enqueued. */
  month: z
    .string()
    .regex(/^\d{6}$/, 'a month YYYYMM')
    .optional(),
  /** The operator confirmed removals above REMOVAL_GUARD_PERCENT (CLI --allow-mass-removal). */
  allowMassRemoval: z.boolean().optional(),
});

export type PriceRefreshMessage = z.infer<typeof priceRefreshMessageSchema>;

export interface PriceRefreshPlan {
  planId: string;
  messages: PriceRefreshMessage[];
}

export function planPriceRefresh(request: {
  markets: readonly string[];
  views: readonly PriceView[];
  timelines: readonly Timeline[];
  asOf: string;
  source: string;
  month?: string;
  allowMassRemoval?: boolean;
}): PriceRefreshPlan {
  const planId = randomUUID();
  const { asOf, source, month, allowMassRemoval } = request;
  const messages = request.markets.flatMap((market) =>
    request.views.flatMap((view) =>
      request.timelines.map((timeline) => ({ planId, market, view, timeline, asOf, source, month, allowMassRemoval })),
    ),
  );
  return { planId, messages };
}

/** Puts the plan's messages on the queue; returns how many. */
export function enqueuePriceRefresh(storage: StorageClients, plan: PriceRefreshPlan): Promise<number> {
  return sendMessages(queueClient(storage, 'priceRefresh'), plan.messages);
}

/**
 * Runs one queued market × view × timeline. A MalformedMessage is thrown for a message that does not
 * say which; a failed run throws too (the message is delivered again, up to maxDequeueCount), except a
 * file at fault, which no redelivery can mend: the ledger has it and the message is done.
 */
export async function runPriceRefreshMessage(
  deps: { storage: StorageClients; settings: Settings; logger: Logger },
  message: unknown,
): Promise<PipelineRun> {
  const job = parseMessage(priceRefreshMessageSchema, 'price refresh', message);
  deps.logger.info('queued price refresh', { ...job });
  const [run] = await refreshPrices({
    ...deps,
    source: createPriceSheetSource(deps.settings, job.source),
    markets: [job.market],
    views: [job.view],
    timeline: job.timeline,
    asOf: job.asOf,
    month: job.month,
    allowMassRemoval: job.allowMassRemoval,
    kind: 'refresh',
  });
  if (run.outcome === 'failed' && !run.fileFault)
    throw new Error(`price refresh ${job.market}/${job.view}/${job.timeline} as of ${job.asOf} failed: ${run.error}`);
  return run;
}

/** A message the host moved to `price-refresh-poison`: a failed run in the ledger. */
export function recordPoisonedPriceRefresh(
  deps: { storage: StorageClients; settings: Settings; logger: Logger },
  message: unknown,
): Promise<unknown> {
  return recordPoisonedMessage(deps, {
    schema: priceRefreshMessageSchema,
    what: 'price refresh',
    queue: poisonQueue(deps.storage.names.queues.priceRefresh),
    message,
    identity: ({ source, market, view, timeline, asOf }) => ({ kind: 'refresh', source, market, view, timeline, asOf }),
  });
}
