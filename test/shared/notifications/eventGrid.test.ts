import { createLogger, memorySink } from '../../../shared/observability/logger';
import { listEvents } from '../../../shared/notifications/outbox';
import { createSubscription } from '../../../shared/notifications/subscriptionStore';
import { runNotifications } from '../../../shared/notifications/worker';
import { ingestSheet } from '../../helpers/apiFixtures';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { testStorage } from '../../helpers/storage';
import { startEventGridTopicFake, type EventGridTopicFake } from '../../fakes/eventGridTopicFake';

const row = (n: number, price = '1.5') =>
  consumptionRow({ ProductId: 'EVENTGRID001', MeterIds: meterId(0x16300 + n), UnitPrice: price });

describe('publishing to an Event Grid custom topic', () => {
  let topic: EventGridTopicFake;
  beforeAll(async () => {
    topic = await startEventGridTopicFake();
  });
  afterAll(() => topic.close());

  async function setUp(overrides: Record<string, string> = {}) {
    const { settings, storage } = testStorage({
      NOTIFY_EVENTGRID_ENDPOINT: topic.endpoint,
      NOTIFY_EVENTGRID_LOCAL_TOKEN: topic.token,
      NOTIFY_EVENTGRID_CA_FILE: topic.caFile,
      NOTIFY_RETRY_DELAY_MS: '100',
      NOTIFY_MAX_ATTEMPTS: '3',
      ...overrides,
    });
    const sink = memorySink();
    const ctx = { storage, settings, logger: createLogger(sink) };
    // Ten prices: removing one stays under the removal guard.
    const day1 = Array.from({ length: 10 }, (_, i) => row(i));
    await ingestSheet(storage, settings, day1, { asOf: '2026-11-01' });
    await runNotifications(ctx);
    const { subscription, secret } = await createSubscription(storage, {
      name: 'topic',
      destination: { kind: 'eventgrid' },
      filters: {},
    });
    expect(secret).toBeNull();
    // Meter 0 changed, meter 1 removed, meter 10 added.
    await ingestSheet(storage, settings, [row(0, '1.75'), ...day1.slice(2), row(10)], { asOf: '2026-11-02' });
    return { ctx, sink, subscription };
  }

  it('sends each event as a CloudEvents batch with the bearer token, through 429 with Retry-After', async () => {
    const { ctx, subscription } = await setUp();
    topic.fail(429, 1, '1');
    const published = topic.published.length;
    const result = await runNotifications(ctx, { drainSeconds: 10 });
    // ADD (meter 10), CHG (meter 0), DEL (meter 1): one event each.
    expect(result).toMatchObject({ events: 3, delivered: 3, failed: 1 });
    // The refused attempt was repeated after the topic's Retry-After (1 s).
    const refused = topic.answered.find((answer) => answer.status === 429)!;
    expect(topic.answered.some((answer) => answer.status === 200 && answer.at - refused.at >= 950)).toBe(true);
    const requests = topic.published.slice(published);
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.path).toBe('/api/events?api-version=2018-01-01');
      expect(request.headers['content-type']).toBe('application/cloudevents-batch+json; charset=utf-8');
      expect(request.headers.authorization).toBe(`Bearer ${topic.token}`);
      expect(request.events).toHaveLength(1);
      expect(request.events[0]).toMatchObject({
        specversion: '1.0',
        source: '/csp-pricing-functions/prices',
        subject: 'US/azure_consumption',
        datacontenttype: 'application/json',
      });
    }
    const byType = Object.fromEntries(requests.map((r) => [r.events[0].type, r.events[0]]));
    expect(Object.keys(byType).sort()).toEqual([
      'csp.pricing.price.added',
      'csp.pricing.price.changed',
      'csp.pricing.price.removed',
    ]);
    expect(byType['csp.pricing.price.changed']).toMatchObject({
      id: expect.stringContaining(`.${subscription.id}.CHG.0.0`),
      data: { items: [{ code: 'CHG', after: { unitPrice: '1.75' } }] },
    });
    expect((await listEvents(ctx.storage, { subscriptionId: subscription.id })).map((e) => e.state)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
  });

  it('dead-letters events the topic refuses (a wrong token: 401), naming the status, never the token', async () => {
    const { ctx, sink, subscription } = await setUp({ NOTIFY_EVENTGRID_LOCAL_TOKEN: 'not-the-topic-token' });
    const result = await runNotifications(ctx, { drainSeconds: 10 });
    expect(result).toMatchObject({ events: 3, delivered: 0, deadLettered: 3 });
    const dead = await listEvents(ctx.storage, { subscriptionId: subscription.id, state: 'dead' });
    expect(dead).toHaveLength(3);
    for (const event of dead) {
      expect(event).toMatchObject({ attempts: 3, lastStatus: 401 });
      expect(event.lastError).toMatch(/^Event Grid topic answered HTTP 401/);
      expect(event.lastError).not.toContain('not-the-topic-token');
    }
    expect(sink.lines.join('\n')).not.toContain('not-the-topic-token');
  });
});
