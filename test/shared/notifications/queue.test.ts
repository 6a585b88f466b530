import type { Runner } from '../../../runtime/localRunner';
import { startTestRunner } from '../../helpers/runner';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { fanOutCommitted, listEvents, type EventEntity } from '../../../shared/notifications/outbox';
import { createSubscription } from '../../../shared/notifications/subscriptionStore';
import { createStorageClients } from '../../../shared/storage/clients';
import { ensureStorage } from '../../../shared/storage/ensure';
import { encodeMessage, queueClient } from '../../../shared/storage/queues';
import { ingestSheet } from '../../helpers/apiFixtures';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { testSettings } from '../../helpers/storage';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhookReceiver';

/**
 * Delivery through the `notifications` queue under the local runner (the host's queue semantics):
 * the fan-out writes an event and its message, deliverNotification delivers it; a failed attempt goes
 * back on the queue delayed until due and is delivered then; a message delivered twice sends once.
 */

const settings = testSettings({
  NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
  NOTIFY_RETRY_DELAY_MS: '500',
  NOTIFY_MAX_RETRY_DELAY_MS: '1000',
  NOTIFY_MAX_ATTEMPTS: '3',
});
const storage = createStorageClients(settings);
const ctx = { storage, settings, logger: createLogger(memorySink()) };
let runner: Runner;
let receiver: WebhookReceiver;

beforeAll(async () => {
  for (const name of [
    'AzureWebJobsStorage',
    'STORAGE_NAME_PREFIX',
    'NOTIFY_ALLOW_LOOPBACK_HTTP',
    'NOTIFY_RETRY_DELAY_MS',
    'NOTIFY_MAX_RETRY_DELAY_MS',
    'NOTIFY_MAX_ATTEMPTS',
  ])
    process.env[name] = String((settings as Record<string, unknown>)[name]);
  await ensureStorage(storage);
  receiver = await startWebhookReceiver();
  runner = await startTestRunner({
    settings,
    storage,
    queueOptions: { maxDequeueCount: 2, visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, leaseSeconds: 10 },
  });
});
afterAll(async () => {
  await runner?.close();
  await receiver?.close();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not as expected in time: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const eventsOf = (subscriptionId: string) => () => listEvents(storage, { subscriptionId });
const allDelivered = (events: EventEntity[]) => events.length > 0 && events.every((e) => e.state === 'delivered');

it('delivers an event through the queue, a failed attempt when due, and a message delivered twice once', async () => {
  const { subscription } = await createSubscription(storage, {
    name: 'queued',
    destination: { kind: 'webhook', url: `${receiver.url}/hook` },
    filters: { codes: ['ADD'] },
  });
  const row = (n: number) => consumptionRow({ ProductId: 'QUEUED000001', MeterIds: meterId(0x16700 + n) });
  await ingestSheet(storage, settings, [row(0)], { asOf: '2026-11-01' });
  await fanOutCommitted(ctx);
  // The receiver fails the first attempt: the event goes back on the queue, invisible until due.
  receiver.inject({ kind: 'status', status: 503 });
  await ingestSheet(storage, settings, [row(0), row(1)], { asOf: '2026-11-02' });
  expect(await fanOutCommitted(ctx)).toMatchObject({ events: 1 });

  const [event] = await until(eventsOf(subscription.id), allDelivered);
  expect(event).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200 });
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([event.rowKey, event.rowKey]);
  expect(receiver.accepted).toHaveLength(1);

  // The same message again (the host delivers at least once): the event is delivered, nothing is sent.
  const queue = queueClient(storage, 'notifications');
  await queue.sendMessage(encodeMessage({ id: event.rowKey }));
  await until(
    () => queue.getProperties(),
    (p) => p.approximateMessagesCount === 0,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(receiver.accepted).toHaveLength(1);
  expect(await listEvents(storage, { subscriptionId: subscription.id })).toMatchObject([
    { state: 'delivered', attempts: 2 },
  ]);
  expect(await queueClient(storage, 'notifications', true).getProperties()).toMatchObject({
    approximateMessagesCount: 0,
  });
}, 60_000);
