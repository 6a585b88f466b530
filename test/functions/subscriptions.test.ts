import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { sendDigests } from '../../shared/notifications/digestStore';
import { listEvents } from '../../shared/notifications/outbox';
import { runNotifications } from '../../shared/notifications/worker';
import { createStorageClients } from '../../shared/storage/clients';
import { ingestSheet } from '../helpers/apiFixtures';
import { consumptionRow, meterId } from '../helpers/priceSheets';
import { testSettings } from '../helpers/storage';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhookReceiver';

/** The subscription API through the local runner (the registrations the Functions host reads). */
describe('/api/subscriptions', () => {
  let runner: Runner;
  let receiver: WebhookReceiver;
  const settings = testSettings({
    LOCAL_FUNCTION_KEY: 'local-test-key',
    NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
    NOTIFY_MAX_ATTEMPTS: '1',
  });
  const storage = createStorageClients(settings);
  const key = { 'x-functions-key': 'local-test-key', 'content-type': 'application/json' };
  const call = (method: string, route: string, body?: unknown) =>
    fetch(`${runner.url}/api/${route}`, {
      method,
      headers: key,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    process.env.NOTIFY_ALLOW_LOOPBACK_HTTP = 'true';
    receiver = await startWebhookReceiver();
    runner = await startTestRunner({
      settings,
      storage,
      functionKey: settings.LOCAL_FUNCTION_KEY,
      // runNotifications delivers here (its counts are asserted): the queue's delivery is test/shared/notifications/queue.test.ts.
      runQueues: false,
    });
  });
  afterAll(async () => {
    await runner?.close();
    await receiver?.close();
  });

  it('creates with a secret shown once, lists, reads, replaces and deletes', async () => {
    const input = {
      name: 'rises',
      destination: { kind: 'webhook', url: `${receiver.url}/hook` },
      filters: { markets: ['US'], codes: ['CHG'], changePercent: { min: '5', direction: 'increase' } },
    };
    expect((await fetch(`${runner.url}/api/subscriptions`)).status).toBe(401);
    const created = await call('POST', 'subscriptions', input);
    expect(created.status).toBe(201);
    const { subscription, secret } = (await created.json()) as { subscription: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(subscription).toMatchObject(input);

    const listed = await call('GET', 'subscriptions');
    const listedText = await listed.text();
    expect(JSON.parse(listedText)).toMatchObject({ subscriptions: [{ id: subscription.id, name: 'rises' }] });
    expect(listedText).not.toContain(secret);
    const read = await call('GET', `subscriptions/${subscription.id}`);
    expect(await read.json()).toMatchObject({ id: subscription.id, filters: input.filters });

    const replaced = await call('PUT', `subscriptions/${subscription.id}`, { ...input, name: 'renamed' });
    expect(replaced.status).toBe(200);
    // The secret stays: not shown again.
    expect(await replaced.json()).toMatchObject({ subscription: { name: 'renamed' }, secret: null });

    expect((await call('DELETE', `subscriptions/${subscription.id}`)).status).toBe(204);
    expect((await call('GET', `subscriptions/${subscription.id}`)).status).toBe(404);
    expect((await call('DELETE', `subscriptions/${subscription.id}`)).status).toBe(404);
    expect((await call('GET', 'subscriptions/not-an-id')).status).toBe(404);
  });

  it('refuses bad input with the field as sent', async () => {
    const problem = async (body: unknown) => {
      const response = await call('POST', 'subscriptions', body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      return (await response.json()) as { code: string; detail: string; field: string };
    };
    const destination = { kind: 'webhook', url: 'https://example.com/hook' };
    expect(await problem({ name: 'x', destination, filters: { codes: ['ADD', 'NEW'] } })).toMatchObject({
      code: 'InvalidBody',
      detail: 'filters.codes[1]: one of ADD, CHG, DEL, UNC',
      field: 'filters.codes[1]',
    });
    expect(await problem({ name: 'x', destination, filters: { changePercent: { min: '-5' } } })).toMatchObject({
      detail: 'filters.changePercent.min: a decimal number of percent such as "5" or "2.5", as a string',
      field: 'filters.changePercent.min',
    });
    expect(await problem({ name: 'x', destination, filter: {} })).toMatchObject({
      detail: 'filter: unknown field',
      field: 'filter',
    });
    expect(await problem({ name: 'x', destination: { kind: 'webhook', url: 'http://example.com/' } })).toMatchObject({
      detail: 'destination.url: must be an https URL',
      field: 'destination.url',
    });
    expect(await problem('{"name":')).toMatchObject({
      detail: 'The body must be JSON (it does not parse)',
      field: 'body',
    });
  });

  it('lists dead letters and requeues one', async () => {
    const created = await call('POST', 'subscriptions', {
      name: 'dead',
      destination: { kind: 'webhook', url: `${receiver.url}/hook` },
      filters: { codes: ['ADD'] },
    });
    const { subscription } = (await created.json()) as { subscription: { id: string } };
    const ctx = { storage, settings, logger: createLogger(memorySink()) };
    const row = (n: number) => consumptionRow({ ProductId: 'SUBSCRIBE001', MeterIds: meterId(0x16200 + n) });
    await ingestSheet(storage, settings, [row(0)], { asOf: '2026-11-01' });
    await runNotifications(ctx);
    receiver.inject({ kind: 'status', status: 503 });
    await ingestSheet(storage, settings, [row(0), row(1)], { asOf: '2026-11-02' });
    expect(await runNotifications(ctx, { drainSeconds: 0 })).toMatchObject({ events: 1, deadLettered: 1 });

    const dead = await call('GET', `subscriptions/${subscription.id}/events?state=dead`);
    const { events } = (await dead.json()) as { events: { id: string; lastError: string; attempts: number }[] };
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempts: 1, lastStatus: 503 });
    expect(events[0].lastError).toMatch(/answered HTTP 503/);
    expect((await call('GET', `subscriptions/${subscription.id}/events?state=gone`)).status).toBe(400);

    const requeued = await call('POST', `subscriptions/${subscription.id}/events/${events[0].id}/redeliver`);
    expect(requeued.status).toBe(202);
    expect(await runNotifications(ctx, { drainSeconds: 0 })).toMatchObject({ delivered: 1 });
    expect(receiver.accepted.map((r) => r.headers['webhook-id'])).toEqual([events[0].id]);
    expect((await listEvents(storage, { subscriptionId: subscription.id })).map((e) => e.state)).toEqual(['delivered']);
    expect((await call('POST', `subscriptions/${subscription.id}/events/nope/redeliver`)).status).toBe(404);
  });

  it('lists the stored digests and serves one as HTML and Markdown', async () => {
    const created = await call('POST', 'subscriptions', {
      name: 'digest',
      destination: { kind: 'webhook', url: `${receiver.url}/hook` },
      digest: {},
    });
    const { subscription } = (await created.json()) as { subscription: { id: string; digest: unknown } };
    expect(subscription.digest).toEqual({});
    await sendDigests({ storage, settings, logger: createLogger(memorySink()) }, '2026-11-02');
    const listed = await call('GET', `digests?subscriptionId=${subscription.id}`);
    expect(await listed.json()).toEqual({
      digests: [{ subscriptionId: subscription.id, day: '2026-11-02', formats: ['html', 'markdown'] }],
    });
    const html = await call('GET', `digests/${subscription.id}/2026-11-02`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(await html.text()).toContain('<h1>Price changes 2026-11-02 — digest</h1>');
    const markdown = await call('GET', `digests/${subscription.id}/2026-11-02?format=markdown`);
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await markdown.text()).toMatch(/^# Price changes 2026\\-11\\-02 — digest/);
    expect((await call('GET', `digests/${subscription.id}/2026-11-03`)).status).toBe(404);
    expect((await call('GET', `digests/${subscription.id}/2026-11-02?format=pdf`)).status).toBe(400);
    expect((await call('GET', 'digests?subscriptionId=x')).status).toBe(400);
  });
});
