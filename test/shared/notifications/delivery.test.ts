import Decimal from 'decimal.js';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { deliverEvent } from '../../../shared/notifications/delivery';
import { listEvents } from '../../../shared/notifications/outbox';
import { runNotifications } from '../../../shared/notifications/worker';
import { createSubscription } from '../../../shared/notifications/subscriptionStore';
import type { SubscriptionInput } from '../../../shared/notifications/subscription';
import { ingestSheet } from '../../helpers/apiFixtures';
import { docsExample } from '../../helpers/docsExample';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { testStorage } from '../../helpers/storage';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhookReceiver';

const { verifyWebhook } = docsExample<{
  verifyWebhook: (secret: string, headers: Record<string, unknown>, body: string) => boolean;
}>('docs/api.md', 'webhook-verification-example');

const SETTINGS = {
  NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
  NOTIFY_RETRY_DELAY_MS: '100',
  NOTIFY_MAX_RETRY_DELAY_MS: '3000',
  NOTIFY_MAX_ATTEMPTS: '4',
  NOTIFY_BATCH_SIZE: '2',
};

const meter = (n: number) => meterId(0x16000 + n);
const day1 = Array.from({ length: 5 }, (_, i) =>
  consumptionRow({ ProductId: 'NOTIFY000001', MeterIds: meter(i), UnitPrice: `1.0${i}0000` }),
);
/** A new version of a day-1 price from 2 Nov (the day-1 version stays listed, ending in force then). */
const newPrice = (n: number, price: string) => [
  day1[n],
  { ...day1[n], UnitPrice: price, EffectiveStartDate: '2026-11-02T00:00:00.0000000Z' },
];
/** Day 2: meter 0 up 10 %, meter 1 down 10 %, meter 2 up 1 %, meter 4 gone, meters 10 and 11 new. */
const day2 = [
  ...newPrice(0, '1.100000'),
  ...newPrice(1, '0.909'),
  ...newPrice(2, '1.0302'),
  day1[3],
  consumptionRow({ ProductId: 'NOTIFY000001', MeterIds: meter(10), UnitPrice: '0.000140' }),
  consumptionRow({ ProductId: 'NOTIFY000001', MeterIds: meter(11), UnitPrice: '2' }),
];

/** Storage with day 1 notified (the cursor set) and a subscription to `receiver`; day 2 not yet ingested. */
async function setUp(receiver: WebhookReceiver, input: Partial<SubscriptionInput> = {}) {
  const { settings, storage } = testStorage(SETTINGS);
  const sink = memorySink();
  const ctx = { storage, settings, logger: createLogger(sink) };
  await ingestSheet(storage, settings, day1, { asOf: '2026-11-01' });
  expect(await runNotifications(ctx)).toMatchObject({ events: 0, delivered: 0 });
  const { subscription, secret } = await createSubscription(storage, {
    name: 'test',
    destination: { kind: 'webhook', url: `${receiver.url}/hook?sig=url-secret` },
    filters: {},
    ...input,
  });
  return { ctx, sink, subscription, secret: secret! };
}

const eventOf = (body: string) => JSON.parse(body) as Record<string, any>;

describe('webhook delivery of price changes', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  it('sends signed CloudEvents 1.0 per code and batch that the documented receiver code verifies', async () => {
    const { ctx, subscription, secret, sink } = await setUp(receiver);
    await ingestSheet(ctx.storage, ctx.settings, day2, { asOf: '2026-11-02' });
    const result = await runNotifications(ctx, { drainSeconds: 5 });
    // ADD 2 (one batch of 2), CHG 3 (batches of 2 and 1), DEL 1.
    expect(result).toMatchObject({ events: 4, delivered: 4, failed: 0, deadLettered: 0 });
    expect(receiver.requests).toHaveLength(4);

    const events = receiver.accepted.map((request) => eventOf(request.body));
    for (const request of receiver.accepted) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
      expect(verifyWebhook(secret, request.headers, request.body)).toBe(true);
      // An altered body or another secret: refused by the same code.
      expect(verifyWebhook(secret, request.headers, request.body.replace('"US"', '"DE"'))).toBe(false);
      expect(verifyWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, request.headers, request.body)).toBe(
        false,
      );
      expect(request.headers['webhook-id']).toBe(eventOf(request.body).id);
    }
    const runId = events[0].data.runId as string;
    expect(events.map((e) => e.id).sort()).toEqual(
      ['ADD.0.0', 'CHG.0.0', 'CHG.0.1', 'DEL.0.0'].map((tail) => `${runId}.${subscription.id}.${tail}`),
    );
    for (const event of events) {
      expect(event).toMatchObject({
        specversion: '1.0',
        source: '/csp-pricing-functions/prices',
        subject: 'US/azure_consumption',
        datacontenttype: 'application/json',
        data: {
          market: 'US',
          view: 'azure_consumption',
          snapshots: { before: { asOf: '2026-11-01' }, after: { asOf: '2026-11-02', runId } },
        },
      });
      // RFC 3339 in UTC (the SDK writes milliseconds).
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(event.type).toBe(
        { ADD: 'csp.pricing.price.added', CHG: 'csp.pricing.price.changed', DEL: 'csp.pricing.price.removed' }[
          event.data.code as string
        ],
      );
    }
    const items = events.flatMap((e) => e.data.items as Record<string, any>[]);
    const byMeter = (code: string) =>
      Object.fromEntries(
        items.filter((i) => i.code === code).map((i) => [(i.after ?? i.before).meterId, i] as [string, any]),
      );
    expect(Object.keys(byMeter('ADD')).sort()).toEqual([meter(10), meter(11)]);
    // Prices keep their published digits, as strings.
    expect(byMeter('ADD')[meter(10)].after.unitPrice).toBe('0.000140');
    expect(byMeter('ADD')[meter(10)].before).toBeNull();
    expect(Object.keys(byMeter('CHG')).sort()).toEqual([meter(0), meter(1), meter(2)]);
    expect(byMeter('CHG')[meter(0)]).toMatchObject({
      before: { unitPrice: '1.000000', effectiveStartDate: '2018-03-01T00:00:00.0000000Z' },
      after: { unitPrice: '1.100000' },
    });
    expect(byMeter('DEL')[meter(4)]).toMatchObject({ before: { unitPrice: '1.040000' }, after: null });

    // Delivered once: a second run sends nothing, and the outbox says delivered.
    expect(await runNotifications(ctx, { drainSeconds: 0 })).toMatchObject({ events: 0, delivered: 0 });
    expect(receiver.requests).toHaveLength(4);
    expect((await listEvents(ctx.storage, { subscriptionId: subscription.id })).map((e) => e.state)).toEqual(
      Array(4).fill('delivered'),
    );
    // Neither the secret nor the URL's query reaches the log.
    expect(sink.lines.join('\n')).not.toContain(secret);
    expect(sink.lines.join('\n')).not.toContain('url-secret');
  });

  it('filters by code and by a CHG increase of 5 % or more', async () => {
    const { ctx } = await setUp(receiver, {
      filters: { codes: ['CHG', 'UNC'], changePercent: { min: '5', direction: 'increase' } },
    });
    await ingestSheet(ctx.storage, ctx.settings, day2, { asOf: '2026-11-02' });
    await runNotifications(ctx, { drainSeconds: 5 });
    const events = receiver.accepted.map((request) => eventOf(request.body));
    expect(events.map((e) => e.type).sort()).toEqual(['csp.pricing.price.changed', 'csp.pricing.prices.unchanged']);
    const changed = events.find((e) => e.data.code === 'CHG')!;
    expect(changed.data.items).toHaveLength(1);
    const [item] = changed.data.items;
    expect(item.after.meterId).toBe(meter(0));
    expect(new Decimal(item.after.unitPrice).div(item.before.unitPrice).minus(1).times(100).toString()).toBe('10');
    expect(events.find((e) => e.data.code === 'UNC')!.data).toMatchObject({
      counts: { ADD: 2, CHG: 3, DEL: 1, UNC: 1 },
      items: [],
    });
  });

  it('retries a receiver that fails the first attempts (503, then 429 with Retry-After) and delivers once', async () => {
    const { ctx, subscription } = await setUp(receiver, { filters: { codes: ['DEL'] } });
    receiver.inject({ kind: 'status', status: 503 });
    receiver.inject({ kind: 'status', status: 429, retryAfter: '1' });
    await ingestSheet(ctx.storage, ctx.settings, day2, { asOf: '2026-11-02' });
    const result = await runNotifications(ctx, { drainSeconds: 10 });
    expect(result).toMatchObject({ events: 1, delivered: 1, failed: 2, deadLettered: 0 });
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.accepted).toHaveLength(1);
    // The same event each time; the receiver's Retry-After (1 s) was honoured.
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.requests[2].at - receiver.requests[1].at).toBeGreaterThanOrEqual(950);
    const [event] = await listEvents(ctx.storage, { subscriptionId: subscription.id });
    expect(event).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
  });

  it('dead-letters an event after NOTIFY_MAX_ATTEMPTS failed attempts, with the last error', async () => {
    const { ctx, subscription, secret } = await setUp(receiver, { filters: { codes: ['DEL'] } });
    receiver.inject({ kind: 'status', status: 500, body: `echo ${'x'.repeat(10)}` }, { times: 100 });
    await ingestSheet(ctx.storage, ctx.settings, day2, { asOf: '2026-11-02' });
    const result = await runNotifications(ctx, { drainSeconds: 10 });
    expect(result).toMatchObject({ events: 1, delivered: 0, failed: 3, deadLettered: 1 });
    expect(receiver.requests).toHaveLength(4);
    const [event] = await listEvents(ctx.storage, { state: 'dead' });
    expect(event).toMatchObject({ subscriptionId: subscription.id, state: 'dead', attempts: 4, lastStatus: 500 });
    expect(event.lastError).toBe(`${receiver.url}/hook answered HTTP 500: echo xxxxxxxxxx`);
    expect(event.lastError).not.toContain(secret);
    // Dead letters stay dead: the next run does not send them.
    await runNotifications(ctx, { drainSeconds: 0 });
    expect(receiver.requests).toHaveLength(4);
  });

  it('notifies nothing for a backfill older than the last notified snapshot, and goes on from the newest', async () => {
    const { ctx } = await setUp(receiver, { filters: { codes: ['ADD'] } });
    await ingestSheet(ctx.storage, ctx.settings, day2, { asOf: '2026-11-03' });
    expect(await runNotifications(ctx, { drainSeconds: 5 })).toMatchObject({ events: 1, delivered: 1 });
    // A backfill of 2 Nov with a price of its own: history, not the list receivers hold.
    const backfill = [...day1, consumptionRow({ ProductId: 'NOTIFY000001', MeterIds: meter(30) })];
    await ingestSheet(ctx.storage, ctx.settings, backfill, { asOf: '2026-11-02' });
    expect(await runNotifications(ctx, { drainSeconds: 0 })).toMatchObject({ steps: 0, events: 0, delivered: 0 });
    // The next day is compared with 3 Nov, the newest notified list.
    const day4 = [...day2, consumptionRow({ ProductId: 'NOTIFY000001', MeterIds: meter(40) })];
    await ingestSheet(ctx.storage, ctx.settings, day4, { asOf: '2026-11-04' });
    expect(await runNotifications(ctx, { drainSeconds: 5 })).toMatchObject({ steps: 1, events: 1, delivered: 1 });
    const last = eventOf(receiver.accepted.at(-1)!.body);
    expect(last.data.snapshots).toMatchObject({ before: { asOf: '2026-11-03' }, after: { asOf: '2026-11-04' } });
    expect(last.data.items.map((i: { after: { meterId: string } }) => i.after.meterId)).toEqual([meter(40)]);
  });

  it("delivers one event by id whatever its due time (a queue worker's entry point), once", async () => {
    const { ctx } = await setUp(receiver, { filters: { codes: ['DEL'] } });
    receiver.inject({ kind: 'status', status: 503, retryAfter: '600' });
    await ingestSheet(ctx.storage, ctx.settings, day2, { asOf: '2026-11-02' });
    expect(await runNotifications(ctx, { drainSeconds: 0 })).toMatchObject({ events: 1, failed: 1 });
    const [event] = await listEvents(ctx.storage, { state: 'pending' });
    expect(await deliverEvent(ctx, event.rowKey)).toBe('delivered');
    expect(await deliverEvent(ctx, event.rowKey)).toBe('delivered');
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.accepted).toHaveLength(1);
    expect(await deliverEvent(ctx, 'no-such-event')).toBeNull();
  });
});
