import { nowInstant } from '../core/dates';
import { endpointOf } from '../http/endpoint';
import { restPipeline } from '../http/restPipeline';
import { backoffDelayMs, retryAfterMs } from '../http/retryStrategies';
import { createUpstreamHttp, UpstreamHttpError, type UpstreamHttp } from '../http/upstreamHttp';
import { redact } from '../observability/redact';
import type { StorageClients } from '../storage/clients';
import { ifFound, statusOf } from '../storage/errors';
import { createPool } from '../storage/pool';
import { MalformedMessage, parseMessage } from '../storage/queues';
import { odata } from '../storage/sdk';
import { topicEvent, topicPublisher, type TopicPublisher } from './eventGrid';
import { z } from 'zod';
import { EVENT_PARTITION, eventBlobName, queueDelivery, type EventEntity, type NotifyContext } from './outbox';
import { signedHeaders } from './signing';
import type { Destination, Subscription } from './subscription';
import { getSubscription, webhookSecret } from './subscriptionStore';
import { webhookUrlProblem } from './webhookUrl';

/**
 * Delivery of the outbox's events: one attempt per event at a time, its outcome written to the
 * event's entity (attempts, next due time, last error) before the next, so a crash never forgets an
 * attempt and a restart resumes where it stopped. A failed attempt is retried after an exponential
 * delay with jitter (or the receiver's Retry-After, capped), up to NOTIFY_MAX_ATTEMPTS; then the
 * event is dead-lettered with its last error. At least once: an event sent by a process killed
 * before it wrote the outcome is sent again, under the same id (receivers de-duplicate by it).
 */

/** How often delivery looks for new events while a fan-out is writing them. */
const BUSY_POLL_MS = 200;
/** Events in flight at a time. */
const SEND_CONCURRENCY = 8;
/** A receiver gets this long per attempt; a slow one counts as a failed attempt. */
const WEBHOOK_TIMEOUT_MS = 30_000;
/** Characters of a receiver's error body kept in lastError. */
const ERROR_EXCERPT = 200;

export interface DeliveryStats {
  delivered: number;
  failed: number;
  deadLettered: number;
  cancelled: number;
}

/** The event's state after the attempt; skipped: another worker recorded an outcome first. */
type AttemptResult = EventEntity['state'] | 'skipped';

type Outcome = { ok: true } | { ok: false; error: string; status?: number; retryAfterMs?: number };

const table = (storage: StorageClients) => storage.table(storage.names.tables.notifications);

/**
 * Sends every pending event that is due; keeps going until `deadline` while retries fall due before
 * it, and while `busy()` (a fan-out still writing events) so that delivery starts with the first.
 * With `graceMs` only events overdue by that long: the sweep of the timer, for events whose queue
 * message was lost (the queue delivers the others when due).
 */
export async function deliverPending(
  ctx: NotifyContext,
  deadline: number,
  busy: () => boolean = () => false,
  graceMs = 0,
): Promise<DeliveryStats> {
  const stats: DeliveryStats = { delivered: 0, failed: 0, deadLettered: 0, cancelled: 0 };
  const via = senders(ctx);
  for (;;) {
    // Read before the query: when the fan-out was still running, what it wrote last may be missing.
    const writing = busy();
    const pending = await pendingEvents(ctx.storage);
    const now = nowInstant(new Date(Date.now() - graceMs));
    const due = pending.filter((e) => e.dueAt <= now);
    if (due.length === 0) {
      const next = pending.reduce<string | null>((min, e) => (min === null || e.dueAt < min ? e.dueAt : min), null);
      const wait = writing ? BUSY_POLL_MS : next === null ? Infinity : Date.parse(next) + graceMs - Date.now();
      if (!writing && Date.now() + wait > deadline) return stats;
      await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 10)));
      continue;
    }
    const pool = createPool(SEND_CONCURRENCY);
    for (const event of due) await pool.submit(async () => count(stats, await attempt(ctx, via, event)));
    await pool.drain();
  }
}

/**
 * One delivery attempt of one pending event by id, whatever its due time: what a queue-triggered
 * worker calls per message (the queue's visibility timeout then paces the retries). Returns the
 * event's state after it; null for an unknown id or when another worker recorded the attempt first.
 */
export async function deliverEvent(ctx: NotifyContext, id: string): Promise<EventEntity['state'] | null> {
  const event = await ifFound(table(ctx.storage).getEntity<EventEntity>(EVENT_PARTITION, id));
  if (!event) return null;
  if (event.state !== 'pending') return event.state;
  const result = await attempt(ctx, senders(ctx), event);
  return result === 'skipped' ? null : result;
}

const notificationMessageSchema = z.object({ id: z.string().min(1).max(400) });

/**
 * One message of the `notifications` queue (the deliverNotification function): one attempt of the
 * event it names when the event is pending and due. A failed attempt is not a failed message: the
 * outbox counts the attempts (up to NOTIFY_MAX_ATTEMPTS, then the dead letter), and the message is
 * sent again, invisible until the retry is due — so the queue's dequeue count never races the
 * outbox's. An event no longer pending (delivered, dead, cancelled: a message delivered twice, or
 * the timer's sweep came first) is left alone. Only storage failures throw (the host delivers the
 * message again); a malformed message is logged and dropped (no retry can mend it).
 */
export async function runNotificationMessage(
  ctx: NotifyContext,
  message: unknown,
): Promise<EventEntity['state'] | null> {
  let id: string;
  try {
    id = parseMessage(notificationMessageSchema, 'notification', message).id;
  } catch (e) {
    if (!(e instanceof MalformedMessage)) throw e;
    ctx.logger.error('notification message dropped', { error: e.message });
    return null;
  }
  const event = await ifFound(table(ctx.storage).getEntity<EventEntity>(EVENT_PARTITION, id));
  if (!event) return null;
  if (event.state !== 'pending') return event.state;
  // Not due yet (the sweep recorded a failed attempt meanwhile): back on the queue until it is.
  if (Date.parse(event.dueAt) > Date.now()) {
    await queueDelivery(ctx.storage, id, event.dueAt);
    return 'pending';
  }
  const result = await attempt(ctx, senders(ctx), event);
  if (result === 'pending') {
    const after = await ifFound(table(ctx.storage).getEntity<EventEntity>(EVENT_PARTITION, id));
    if (after?.state === 'pending') await queueDelivery(ctx.storage, id, after.dueAt);
  }
  return result === 'skipped' ? null : result;
}

function count(stats: DeliveryStats, result: AttemptResult): void {
  if (result === 'delivered') stats.delivered++;
  else if (result === 'pending') stats.failed++;
  else if (result === 'dead') stats.deadLettered++;
  else if (result === 'cancelled') stats.cancelled++;
}

async function pendingEvents(storage: StorageClients): Promise<EventEntity[]> {
  const filter = odata`PartitionKey eq ${EVENT_PARTITION} and state eq ${'pending'}`;
  const result: EventEntity[] = [];
  for await (const entity of table(storage).listEntities<EventEntity>({ queryOptions: { filter } }))
    result.push(entity);
  return result.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.rowKey.localeCompare(b.rowKey));
}

/** The clients of both destinations, made once per delivery run. */
interface Senders {
  http: UpstreamHttp;
  topic: TopicPublisher | null;
  /**
   * The subscriptions and secrets read in this run, by id: one read per subscription, not per event.
   * A run is short (NOTIFY_DRAIN_SECONDS); a change made meanwhile applies from the next run.
   */
  subscriptions: Map<string, Promise<Subscription | null>>;
  secrets: Map<string, Promise<string | null>>;
}

function once<T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> {
  let value = cache.get(id);
  if (!value) cache.set(id, (value = read()));
  return value;
}

const senders = (ctx: NotifyContext): Senders => ({
  http: createUpstreamHttp(ctx.settings, {
    maxRetries: 0,
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    idleTimeoutMs: WEBHOOK_TIMEOUT_MS,
  }),
  topic: topicPublisher(ctx.settings),
  subscriptions: new Map(),
  secrets: new Map(),
});

async function attempt(
  ctx: NotifyContext,
  via: Senders,
  event: EventEntity & { etag?: string },
): Promise<AttemptResult> {
  const subscription = await once(via.subscriptions, event.subscriptionId, () =>
    getSubscription(ctx.storage, event.subscriptionId),
  );
  if (!subscription) {
    await update(ctx.storage, event, { state: 'cancelled', lastError: 'the subscription was deleted' });
    return 'cancelled';
  }
  const body = await ctx.storage.blobs
    .getContainerClient(ctx.storage.names.containers.notifications)
    .getBlobClient(eventBlobName(event.rowKey))
    .downloadToBuffer();
  const text = body.toString('utf8');
  const outcome =
    event.target === 'teams'
      ? await postTeams(ctx, via, subscription.digest?.teamsUrl, text)
      : await send(ctx, via, subscription.id, subscription.destination, event.rowKey, text);
  const attempts = event.attempts + 1;
  const now = Date.now();
  if (outcome.ok) {
    const updated = await update(ctx.storage, event, {
      state: 'delivered',
      attempts,
      deliveredAt: nowInstant(new Date(now)),
      lastStatus: 200,
    });
    return updated ? 'delivered' : 'skipped';
  }
  const fields = { attempts, lastError: outcome.error, lastStatus: outcome.status ?? 0 };
  if (attempts >= ctx.settings.NOTIFY_MAX_ATTEMPTS) {
    await update(ctx.storage, event, { ...fields, state: 'dead' });
    ctx.logger.warn('notification event dead-lettered', {
      event: event.rowKey,
      subscription: event.subscriptionId,
      attempts,
      error: outcome.error,
    });
    return 'dead';
  }
  const backoff = {
    retryDelayMs: ctx.settings.NOTIFY_RETRY_DELAY_MS,
    maxRetryDelayMs: ctx.settings.NOTIFY_MAX_RETRY_DELAY_MS,
  };
  const delay =
    outcome.retryAfterMs === undefined
      ? backoffDelayMs(attempts - 1, backoff)
      : Math.min(outcome.retryAfterMs, backoff.maxRetryDelayMs);
  await update(ctx.storage, event, { ...fields, dueAt: nowInstant(new Date(now + delay)) });
  return 'pending';
}

/**
 * Writes an attempt's outcome if nobody else changed the event since it was read (ETag): two
 * workers delivering the same event record one outcome. False when the other won.
 */
async function update(
  storage: StorageClients,
  event: EventEntity & { etag?: string },
  fields: Partial<EventEntity>,
): Promise<boolean> {
  try {
    await table(storage).updateEntity({ partitionKey: event.partitionKey, rowKey: event.rowKey, ...fields }, 'Merge', {
      etag: event.etag,
    });
    return true;
  } catch (e) {
    if (statusOf(e) === 412) return false;
    throw e;
  }
}

async function send(
  ctx: NotifyContext,
  via: Senders,
  subscriptionId: string,
  destination: Destination,
  id: string,
  body: string,
): Promise<Outcome> {
  if (destination.kind === 'eventgrid') return publish(via.topic, body);
  const secret = await once(via.secrets, subscriptionId, () => webhookSecret(ctx.storage, subscriptionId));
  if (!secret) return { ok: false, error: 'the subscription has no signing secret' };
  const headers = { 'content-type': 'application/cloudevents+json; charset=utf-8', ...signedHeaders(secret, id, body) };
  return post(ctx, via, destination.url, headers, body);
}

/** A digest to a Teams Workflows webhook: plain JSON (Teams checks no signature; its URL carries a `sig`). */
function postTeams(ctx: NotifyContext, via: Senders, url: string | undefined, body: string): Promise<Outcome> {
  if (!url) return Promise.resolve({ ok: false, error: 'the subscription has no digest.teamsUrl any more' });
  return post(ctx, via, url, { 'content-type': 'application/json' }, body);
}

/** One POST; any 2xx is a delivery. Errors name the endpoint without its query (a `sig` or code may ride there). */
async function post(
  ctx: NotifyContext,
  via: Senders,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Outcome> {
  const problem = webhookUrlProblem(url, ctx.settings);
  if (problem) return { ok: false, error: `url: ${problem}` };
  try {
    const response = await via.http.send({ url, method: 'POST', headers, body });
    if (response.status >= 200 && response.status < 300) return { ok: true };
    const excerpt = redact(response.text.slice(0, ERROR_EXCERPT)).replace(/\s+/g, ' ').trim();
    return {
      ok: false,
      status: response.status,
      error: `${endpointOf(url)} answered HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
      retryAfterMs: retryAfterMs(response),
    };
  } catch (e) {
    const message = e instanceof UpstreamHttpError ? e.message : redact(String(e));
    return { ok: false, error: message };
  }
}

/** One publish of one event to the app's Event Grid topic. */
async function publish(topic: TopicPublisher | null, body: string): Promise<Outcome> {
  if (!topic) return { ok: false, error: 'no Event Grid topic is configured (NOTIFY_EVENTGRID_ENDPOINT)' };
  try {
    await topic.send([topicEvent(body)]);
    return { ok: true };
  } catch (e) {
    if (!restPipeline().isRestError(e)) return { ok: false, error: `Event Grid topic: ${redact(String(e))}` };
    const status = e.statusCode;
    const message = redact(e.message).replace(/\s+/g, ' ').trim().slice(0, ERROR_EXCERPT);
    return {
      ok: false,
      status,
      error: status ? `Event Grid topic answered HTTP ${status}: ${message}` : `Event Grid topic: ${message}`,
      retryAfterMs: e.response ? retryAfterMs(e.response) : undefined,
    };
  }
}
