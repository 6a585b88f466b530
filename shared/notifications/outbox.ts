import type { CloudEvent } from 'cloudevents';
import { nowInstant } from '../core/dates';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import { listSnapshots, priceChanges, type ChangesCursor, type SnapshotRecord } from '../prices';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { ifFound, statusOf } from '../storage/errors';
import { createPool } from '../storage/pool';
import { queueClient, sendMessages } from '../storage/queues';
import { odata } from '../storage/sdk';
import { changeEvent, eventId, type EventSnapshots } from './cloudEvents';
import { matches, wantsSnapshot, type ChangedPrice } from './matching';
import type { ChangeCode, Subscription } from './subscription';
import { listSubscriptions } from './subscriptionStore';

/**
 * The notification outbox, derived from the committed snapshots (docs/design.md#notifications-outbox):
 * per market and view a cursor names the last snapshot fanned out; every snapshot committed after it
 * is compared with the one before it (what GET /api/prices/changes computes) and each matching
 * subscription gets its events written here — an entity (delivery state) and a blob (the CloudEvent)
 * per event, both insert-only under the event's deterministic id — before the cursor moves on. A
 * crash anywhere leaves the cursor behind: the next run computes the same events under the same
 * ids and writes only those still missing, so nothing is lost and nothing is written twice.
 */

export const EVENT_PARTITION = 'event';
const CURSOR_PARTITION = 'cursor';
/**
 * Changed prices read per page of the comparison: each page re-reads both manifests, so pages are
 * large (a page of versions is ~10 MB); CHG candidates are checked CHECK_LIMIT at a time anyway.
 */
const CHANGES_PAGE = 10_000;
/** Events written to the outbox in parallel. */
const WRITE_CONCURRENCY = 8;
/**
 * The codes that list prices. UNC is one summary event per run (its prices would be the whole list),
 * sent only to subscriptions that name it in their codes.
 */
const LISTED_CODES = ['ADD', 'CHG', 'DEL'] as const;

export type EventState = 'pending' | 'delivered' | 'dead' | 'cancelled';

export interface EventEntity {
  partitionKey: string;
  rowKey: string;
  subscriptionId: string;
  market: string;
  view: string;
  runId: string;
  /** The change code of the batch; DIGEST for a daily digest. */
  code: ChangeCode | 'DIGEST';
  items: number;
  /** teams: a digest for the subscription's Teams webhook (digest.teamsUrl), not its destination. */
  target?: 'teams';
  state: EventState;
  attempts: number;
  /** When the next attempt is due (pending). */
  dueAt: string;
  /** When the later snapshot was committed: the start of the commit-to-delivery delay. */
  committedAt: string;
  createdAt: string;
  deliveredAt?: string;
  lastStatus?: number;
  lastError?: string;
}

interface CursorEntity {
  partitionKey: string;
  rowKey: string;
  asOf: string;
  runId: string;
  sha256: string;
}

export interface NotifyContext {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
}

export const eventBlobName = (id: string) => `events/${id}.json`;

const notificationsTable = (storage: StorageClients) => storage.table(storage.names.tables.notifications);

/** One comparison to fan out: the later snapshot against the one before it. */
interface Step {
  before: SnapshotRecord | null;
  after: SnapshotRecord;
}

/**
 * The snapshots committed since the cursor, each with the snapshot it is compared with, oldest first.
 * `snapshots` is one market and view, oldest first. Without a cursor (the first run that sees the
 * market and view) only the newest snapshot is notified: history committed before notifications
 * existed is not replayed. A snapshot older than the cursor (a backfill) is not notified.
 */
function stepsAfter(snapshots: SnapshotRecord[], cursor: CursorEntity | null): Step[] {
  if (snapshots.length === 0) return [];
  if (!cursor) return [{ before: snapshots.at(-2) ?? null, after: snapshots.at(-1)! }];
  const steps: Step[] = [];
  let previous = [...snapshots].reverse().find((s) => s.asOf < cursor.asOf) ?? null;
  for (const snapshot of snapshots) {
    if (snapshot.asOf < cursor.asOf) continue;
    // The cursor's day as notified, or replaced by another sheet since (compared with the day before).
    const notified =
      snapshot.asOf === cursor.asOf && (snapshot.runId === cursor.runId || snapshot.sha256 === cursor.sha256);
    if (!notified) steps.push({ before: previous, after: snapshot });
    previous = snapshot;
  }
  return steps;
}

/** Fans out every snapshot committed since each cursor; returns the events written. */
export async function fanOutCommitted(ctx: NotifyContext): Promise<{ steps: number; events: number }> {
  const { storage } = ctx;
  await ensureStorage(storage);
  const [subscriptions, snapshots] = await Promise.all([listSubscriptions(storage), listSnapshots(storage, 'current')]);
  const byMarketView = new Map<string, SnapshotRecord[]>();
  for (const snapshot of snapshots) {
    const key = `${snapshot.market}|${snapshot.view}`;
    byMarketView.set(key, [...(byMarketView.get(key) ?? []), snapshot]);
  }
  let steps = 0;
  let events = 0;
  for (const [key, list] of byMarketView) {
    list.sort((a, b) => a.asOf.localeCompare(b.asOf));
    const cursor = await ifFound(notificationsTable(storage).getEntity<CursorEntity>(CURSOR_PARTITION, key));
    for (const step of stepsAfter(list, cursor)) {
      const wanting = subscriptions.filter((s) => wantsSnapshot(s.filters, step.after.market, step.after.view));
      if (step.before && wanting.length > 0)
        events += await fanOutStep(ctx, { before: step.before, after: step.after }, wanting);
      steps++;
      await notificationsTable(storage).upsertEntity<CursorEntity>(
        {
          partitionKey: CURSOR_PARTITION,
          rowKey: key,
          asOf: step.after.asOf,
          runId: step.after.runId,
          sha256: step.after.sha256,
        },
        'Replace',
      );
    }
  }
  if (events > 0) ctx.logger.info('notification events written to the outbox', { steps, events });
  return { steps, events };
}

async function fanOutStep(
  ctx: NotifyContext,
  step: { before: SnapshotRecord; after: SnapshotRecord },
  subscriptions: Subscription[],
): Promise<number> {
  const { market, view } = step.after;
  const snapshots: EventSnapshots = {
    market,
    view,
    runId: step.after.runId,
    before: { asOf: step.before.asOf, runId: step.before.runId },
    after: { asOf: step.after.asOf, runId: step.after.runId, committedAt: step.after.createdAt },
  };
  const pool = createPool(WRITE_CONCURRENCY);
  let written = 0;
  const write = (
    subscription: Subscription,
    code: ChangeCode,
    event: CloudEvent<Record<string, unknown>>,
    items: number,
  ) =>
    pool.submit(async () => {
      const entry = {
        rowKey: event.id,
        subscriptionId: subscription.id,
        market,
        view,
        runId: step.after.runId,
        code,
        items,
        committedAt: step.after.createdAt,
      };
      if (await enqueue(ctx.storage, entry, JSON.stringify(event))) written++;
    });

  let cursor: ChangesCursor | undefined;
  let page = 0;
  do {
    const changes = await priceChanges(ctx.storage, {
      market,
      view,
      from: step.before.asOf,
      to: step.after.asOf,
      top: CHANGES_PAGE,
      cursor,
    });
    if (page === 0) {
      for (const subscription of subscriptions.filter((s) => s.filters.codes?.includes('UNC'))) {
        const id = eventId(step.after.runId, subscription.id, 'UNC', '0');
        const counts = {
          ADD: changes.counts.ADD,
          CHG: changes.counts.CHG,
          DEL: changes.counts.DEL,
          UNC: changes.counts.UNC,
        };
        await write(subscription, 'UNC', changeEvent(id, snapshots, 'UNC', [], counts), 0);
      }
    }
    const items: ChangedPrice[] = [
      ...changes.added.map((after) => ({ code: 'ADD' as const, before: null, after })),
      ...changes.changed.map((change) => ({ code: 'CHG' as const, before: change.before, after: change.after })),
      ...changes.removed.map((before) => ({ code: 'DEL' as const, before, after: null })),
    ];
    for (const subscription of subscriptions) {
      for (const code of LISTED_CODES) {
        const matched = items.filter((item) => item.code === code && matches(subscription.filters, item));
        for (let k = 0; k * ctx.settings.NOTIFY_BATCH_SIZE < matched.length; k++) {
          const batch = matched.slice(k * ctx.settings.NOTIFY_BATCH_SIZE, (k + 1) * ctx.settings.NOTIFY_BATCH_SIZE);
          const id = eventId(step.after.runId, subscription.id, code, `${page}.${k}`);
          await write(subscription, code, changeEvent(id, snapshots, code, batch), batch.length);
        }
      }
    }
    cursor = changes.next ?? undefined;
    page++;
  } while (cursor);
  await pool.drain();
  return written;
}

/** What the outbox records of an event besides its state. */
export type OutboxEntry = Pick<
  EventEntity,
  'rowKey' | 'subscriptionId' | 'market' | 'view' | 'runId' | 'code' | 'items' | 'committedAt' | 'target'
>;

/**
 * Writes one event unless its entity exists: the body first, then the entity (the entity is what
 * the worker delivers, so it never points at a missing body). Both are functions of the id, so a
 * crash between them is repaired by writing them again.
 */
export async function enqueue(storage: StorageClients, entry: OutboxEntry, body: string): Promise<boolean> {
  const table = notificationsTable(storage);
  if (await ifFound(table.getEntity(EVENT_PARTITION, entry.rowKey, { queryOptions: { select: ['state'] } })))
    return false;
  await storage.blobs
    .getContainerClient(storage.names.containers.notifications)
    .getBlockBlobClient(eventBlobName(entry.rowKey))
    .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' } });
  const now = nowInstant();
  try {
    await table.createEntity<EventEntity>({
      ...entry,
      partitionKey: EVENT_PARTITION,
      state: 'pending',
      attempts: 0,
      dueAt: now,
      createdAt: now,
    });
  } catch (error) {
    // 409: another worker wrote it a moment ago.
    if (statusOf(error) === 409) return false;
    throw error;
  }
  // After the entity: a message always names a stored event. A message lost here (a crash, a failed
  // send) leaves a pending event that the deliverNotifications timer's sweep delivers.
  await queueDelivery(storage, entry.rowKey);
  return true;
}

/** The message the `notifications` queue carries: the id of one outbox event. */
export interface NotificationMessage {
  id: string;
}

/**
 * Puts an event's delivery on the `notifications` queue (deliverNotification), invisible until
 * `dueAt` when that is later: the queue paces the retries the outbox schedules.
 */
export async function queueDelivery(storage: StorageClients, id: string, dueAt?: string): Promise<void> {
  await ensureStorage(storage);
  const delayMs = dueAt ? Date.parse(dueAt) - Date.now() : 0;
  const message: NotificationMessage = { id };
  await sendMessages(queueClient(storage, 'notifications'), [message], {
    visibilityTimeoutSeconds: delayMs > 0 ? Math.ceil(delayMs / 1000) : undefined,
  });
}

/** The outbox's events, optionally of one state and one subscription. */
export async function listEvents(
  storage: StorageClients,
  q: { state?: EventState; subscriptionId?: string },
): Promise<EventEntity[]> {
  await ensureStorage(storage);
  let filter = odata`PartitionKey eq ${EVENT_PARTITION}`;
  if (q.state) filter += ` and ${odata`state eq ${q.state}`}`;
  if (q.subscriptionId) filter += ` and ${odata`subscriptionId eq ${q.subscriptionId}`}`;
  const result: EventEntity[] = [];
  for await (const entity of notificationsTable(storage).listEntities<EventEntity>({ queryOptions: { filter } }))
    result.push(entity);
  return result;
}

/**
 * Puts one event of the subscription back in line (a dead letter after the receiver was fixed, or a
 * delivered event the receiver lost) with its attempts reset; null when there is no such event.
 */
export async function requeueEvent(
  storage: StorageClients,
  subscriptionId: string,
  id: string,
): Promise<EventEntity | null> {
  const table = notificationsTable(storage);
  const event = await ifFound(table.getEntity<EventEntity>(EVENT_PARTITION, id));
  if (!event || event.subscriptionId !== subscriptionId) return null;
  const requeued = { ...event, state: 'pending' as const, attempts: 0, dueAt: nowInstant(), lastError: '' };
  await table.updateEntity(requeued, 'Replace', { etag: event.etag });
  await queueDelivery(storage, id);
  return requeued;
}
