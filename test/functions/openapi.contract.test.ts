import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { registeredFunctions } from '../../runtime/registry';
import { loadSettings } from '../../shared/config/settings';
import { runEndpoint, type ApiResponse } from '../../shared/api/endpoint';
import { handlePrices } from '../../shared/prices/endpoints/lookup';
import { refreshPrices } from '../../shared/prices/refresh';
import { createSampleSource, SAMPLE_AS_OF } from '../../shared/prices/sources/sample';
import { refreshRates } from '../../shared/rates/ingest';
import { createFxRatesSource } from '../../shared/rates/sources/factory';
import { createStorageClients, emulatorConnectionString } from '../../shared/storage/clients';
import { MAX_RULE_BODY_BYTES } from '../../shared/quotes/endpoints/rules';
import { MAX_QUOTE_BODY_BYTES } from '../../shared/quotes/endpoints/quotes';
import { MAX_SUBSCRIPTION_BODY_BYTES } from '../../shared/notifications/endpoints';
import { sendDigests } from '../../shared/notifications/digestStore';
import { enqueue } from '../../shared/notifications/outbox';
import { logger, q } from '../helpers/apiFixtures';
import { testSettings } from '../helpers/storage';

/**
 * The contract: every registered HTTP endpoint is called through the local runner (the same
 * registrations the Functions host reads) against storage holding the bundled sample, in success
 * and in each error it can be brought to answer; every real answer — status, content type, headers,
 * body — is validated against GET /api/openapi.json with a JSON Schema 2020-12 validator (ajv), the
 * document itself against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator) and with
 * `redocly lint`. An endpoint without calls here, or a documented status never answered, fails.
 */

const run = promisify(execFile);
const bin = (name: string) => path.join(__dirname, '..', '..', 'node_modules', '.bin', name);
const CONTRACT = 'https://contract.test/openapi.json';

type Json = Record<string, any>;

/** A real answer and the operation it must match (path template as documented, e.g. /api/prices). */
interface Exchange {
  label: string;
  path: string;
  method: string;
  status: number;
  headers: Headers;
  text: string;
  /** The body as sent (a file download is not UTF-8 text); `text` decodes it. */
  bytes?: Buffer;
}

/** The first bytes of a file type the document declares (what a reader of that type checks first). */
const FILE_SIGNATURES: Record<string, Buffer> = {
  // xlsx is a ZIP package (ECMA-376 Part 2): a local file header first.
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': Buffer.from([0x50, 0x4b, 0x03, 0x04]),
};

const isJsonMedia = (type: string) => type === 'application/json' || type.endsWith('+json');

describe('the OpenAPI document against the real answers', () => {
  let runner: Runner;
  let doc: Json;
  const settings = testSettings({ LOCAL_FUNCTION_KEY: 'contract-test-key' });
  const storage = createStorageClients(settings);
  const key = { 'x-functions-key': 'contract-test-key' };
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    // What `npm start` loads on first start, plus the sample's future license-based list.
    const common = { storage, settings, logger: logger(), asOf: SAMPLE_AS_OF };
    await refreshPrices({
      ...common,
      source: createSampleSource(),
      markets: ['US'],
      views: ['azure_consumption', 'updatedlicensebased'],
      timeline: 'current',
      kind: 'refresh',
    });
    await refreshPrices({
      ...common,
      source: createSampleSource(),
      markets: ['US'],
      views: ['updatedlicensebased'],
      timeline: 'future',
      kind: 'refresh',
    });
    await refreshRates({ ...common, source: createFxRatesSource(settings, 'sample') });
    runner = await startTestRunner({
      settings,
      storage,
      functionKey: settings.LOCAL_FUNCTION_KEY,
    });
    doc = JSON.parse((await send('/api/openapi.json')).text) as Json;
  }, 120_000);
  afterAll(() => runner?.close());

  /**
   * One request on a connection of its own (no keep-alive pool: the runner closes a connection whose
   * body it left unread, as after a 413, and a pooled socket could be reused as it closes).
   */
  function send(
    target: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Pick<Exchange, 'status' | 'headers' | 'text' | 'bytes'>> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const request = http.request(
        `${runner.url}${target}`,
        { method: init.method ?? 'GET', headers: init.headers, agent: false },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers))
              if (typeof value === 'string') headers.set(name, value);
            const bytes = Buffer.concat(chunks);
            resolve({ status: response.statusCode ?? 0, headers, text: bytes.toString('utf8'), bytes });
          });
        },
      );
      // Once answered, the server may close while the rest of a refused body is still being sent.
      request.on('error', (e) => (answered ? undefined : reject(e)));
      request.end(init.body);
    });
  }

  /** Calls the runner and records the answer for validation against the operation at `template`. */
  async function call(
    label: string,
    template: string,
    target: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Exchange> {
    const exchange = { label, path: template, method: init.method ?? 'GET', ...(await send(target, init)) };
    exchanges.push(exchange);
    return exchange;
  }

  /** A JSON body with the key (or the headers given). */
  const json = (method: string, body: unknown, headers: Record<string, string> = key) => ({
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
  const DIGEST_DAY = '2026-11-02';
  const webhookSubscription = {
    name: 'contract',
    destination: { kind: 'webhook', url: 'https://example.com/hook' },
    filters: { markets: ['US'], codes: ['CHG'], changePercent: { min: '5', direction: 'increase' } },
  };
  /** Not recorded (each endpoint's own scenario covers it): a subscription's id. */
  async function newSubscription(body: unknown): Promise<string> {
    const created = await send('/api/subscriptions', json('POST', body));
    return (JSON.parse(created.text) as { subscription: { id: string } }).subscription.id;
  }
  /**
   * A subscription to the Event Grid topic (none is configured here: no delivery leaves the machine)
   * with one event in its outbox, `contract-<id>`.
   */
  async function newSubscriptionWithEvent(): Promise<string> {
    const id = await newSubscription({ name: 'contract events', destination: { kind: 'eventgrid' } });
    const entry = {
      rowKey: `contract-${id}`,
      subscriptionId: id,
      market: 'US',
      view: 'azure_consumption',
      runId: 'contract',
      code: 'ADD' as const,
      items: 0,
      committedAt: '2026-11-02T00:00:00.000Z',
    };
    await enqueue(storage, entry, JSON.stringify({ id: entry.rowKey }));
    return id;
  }
  /** A subscription with a daily digest, and its digest of DIGEST_DAY stored. */
  async function newDigest(): Promise<string> {
    const id = await newSubscription({ name: 'contract digest', destination: { kind: 'eventgrid' }, digest: {} });
    await sendDigests({ storage, settings, logger: logger() }, DIGEST_DAY);
    return id;
  }

  /** A scenario per registered HTTP function: its success answers and each error it can be brought to. */
  const scenarios: Record<string, () => Promise<void>> = {
    prices: async () => {
      const meter = '/api/prices?market=US&meterId=50b363d1-feb5-1b7f-a847-bf36ef64b78c&date=2026-11-01';
      const first = await call('one meter', '/api/prices', meter, { headers: key });
      await call('304 with its ETag', '/api/prices', meter, {
        headers: { ...key, 'if-none-match': first.headers.get('etag') ?? '' },
      });
      await call('converted', '/api/prices', '/api/prices?market=US&productId=DZH318Z0BQ4L&convertTo=EUR', {
        headers: key,
      });
      const page = JSON.parse(
        (await call('a page', '/api/prices', '/api/prices?market=US&top=5', { headers: key })).text,
      );
      expect(page.nextLink).toEqual(expect.stringContaining('continuationToken='));
      await call(
        'the next page by nextLink',
        '/api/prices',
        new URL(page.nextLink as string).pathname + new URL(page.nextLink as string).search,
        { headers: key },
      );
      await call('license-based', '/api/prices', '/api/prices?market=US&view=updatedlicensebased&top=3', {
        headers: key,
      });
      await call('400', '/api/prices', '/api/prices?market=US&top=5000', { headers: key });
      await call('401', '/api/prices', '/api/prices?market=US');
      await call('404 MarketNotFound', '/api/prices', '/api/prices?market=DE', { headers: key });
      await call('422 RateNotFound', '/api/prices', '/api/prices?market=US&convertTo=EUR&date=2026-10-01', {
        headers: key,
      });
    },
    priceChanges: async () => {
      const twoDays = '/api/prices/changes?market=US&from=2026-11-01&to=2026-11-02&top=2';
      const first = await call('two dates', '/api/prices/changes', twoDays, { headers: key });
      await call('304', '/api/prices/changes', twoDays, {
        headers: { ...key, 'if-none-match': first.headers.get('etag') ?? '' },
      });
      const future = await call(
        'future list',
        '/api/prices/changes',
        '/api/prices/changes?market=US&view=updatedlicensebased&from=2026-11-01&to=future&top=1',
        { headers: key },
      );
      // Each list holds an item, so that each item schema is checked against a real one.
      expect(JSON.parse(future.text)).toMatchObject({
        added: [expect.anything()],
        changed: [expect.anything()],
        removed: [expect.anything()],
      });
      await call('400', '/api/prices/changes', '/api/prices/changes?market=US&from=monday&to=2026-11-02', {
        headers: key,
      });
      await call('401', '/api/prices/changes', twoDays);
      await call(
        '404 MarketNotFound',
        '/api/prices/changes',
        '/api/prices/changes?market=DE&from=2026-11-01&to=2026-11-02',
        {
          headers: key,
        },
      );
      await call(
        '404 SnapshotNotFound',
        '/api/prices/changes',
        '/api/prices/changes?market=US&from=2026-10-01&to=2026-11-02',
        {
          headers: key,
        },
      );
    },
    exchangeRates: async () => {
      const eur = '/api/exchange-rates?date=2026-11-01&currency=EUR';
      const first = await call('one currency', '/api/exchange-rates', eur, { headers: key });
      await call('304', '/api/exchange-rates', eur, {
        headers: { ...key, 'if-none-match': first.headers.get('etag') ?? '' },
      });
      await call('every currency', '/api/exchange-rates', '/api/exchange-rates?date=2026-11-02', { headers: key });
      await call('400', '/api/exchange-rates', '/api/exchange-rates?base=EUR', { headers: key });
      await call('401', '/api/exchange-rates', eur);
      await call('404', '/api/exchange-rates', '/api/exchange-rates?date=2026-10-01', { headers: key });
    },
    validateCustomer: async () => {
      const post = (body: string, headers: Record<string, string> = key) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const route = '/api/customers/validate';
      await call(
        'a valid customer',
        route,
        route,
        post('{"country":"RU","organizationRegistrationNumber":"7709442668","phoneNumber":"+79123456789"}'),
      );
      await call(
        'an invalid one',
        route,
        route,
        post('{"country":"KZ","organizationRegistrationNumber":"9401 4000 0385","phoneNumber":"+7 912 345 67 89"}'),
      );
      await call('400', route, route, post('[1]'));
      await call('401', route, route, post('{}', {}));
      await call('413', route, route, post(`{"companyName":"${'x'.repeat(70 * 1024)}"}`));
    },
    priceRules: async () => {
      const route = '/api/price-rules/{id}';
      const target = '/api/price-rules/contract-contoso';
      const put = (body: string, headers: Record<string, string> = key) => ({
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const rule = {
        scope: { customer: 'contoso', market: 'US' },
        adjustment: { type: 'markupPercent', percent: '12.5' },
        validFrom: '2026-01-01',
        description: 'contract test',
      };
      expect((await call('PUT creates (201)', route, target, put(JSON.stringify(rule)))).status).toBe(201);
      const replaced = { ...rule, adjustment: { type: 'marginPercent', percent: '20' }, rounding: { decimals: 2 } };
      expect((await call('PUT replaces (200)', route, target, put(JSON.stringify(replaced)))).status).toBe(200);
      const read = await call('GET', route, target, { headers: key });
      expect(JSON.parse(read.text)).toMatchObject({ id: 'contract-contoso', adjustment: replaced.adjustment });
      await call('GET 304 with its ETag', route, target, {
        headers: { ...key, 'if-none-match': read.headers.get('etag') ?? '' },
      });
      await call('GET 404 RuleNotFound', route, '/api/price-rules/no-such-rule', { headers: key });
      await call('GET 400 (id)', route, '/api/price-rules/-dash-first', { headers: key });
      await call('GET 401', route, target);
      const bad = await call(
        'PUT 400 naming a field',
        route,
        target,
        put(JSON.stringify({ ...rule, adjustment: { type: 'marginPercent', percent: '100' } })),
      );
      expect(JSON.parse(bad.text)).toMatchObject({ code: 'InvalidBody', field: 'adjustment.percent' });
      await call('PUT 401', route, target, put(JSON.stringify(rule), {}));
      await call(
        'PUT 413',
        route,
        target,
        put(JSON.stringify({ ...rule, description: 'x'.repeat(MAX_RULE_BODY_BYTES) })),
      );
      await call('DELETE (204)', route, target, { method: 'DELETE', headers: key });
      await call('DELETE 400 (id)', route, '/api/price-rules/-dash-first', { method: 'DELETE', headers: key });
      await call('DELETE 401', route, target, { method: 'DELETE' });
    },
    quotes: async () => {
      const route = '/api/quotes';
      const post = (body: unknown, headers: Record<string, string> = key) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      // A rule of its own (not recorded: the priceRules scenario covers the endpoint), so that `rule` is an object.
      await send('/api/price-rules/contract-quotes', {
        ...post({
          scope: { customer: 'contoso' },
          adjustment: { type: 'markupPercent', percent: '12.5' },
          validFrom: '2026-01-01',
        }),
        method: 'PUT',
      });
      const bandwidth = '5853cb31-e2db-95bd-d3e6-0281dc347847';
      const quoted = await call(
        '200 across tiers, a term, converted, with a rule',
        route,
        route,
        post({
          market: 'US',
          date: '2026-11-01',
          currency: 'EUR',
          customer: 'contoso',
          lines: [
            { meterId: bandwidth, quantity: 101 },
            { productId: 'CFQ7TTC0LH18', skuId: '0001', termDuration: 'P1Y', billingPlan: 'Annual', quantity: 10 },
          ],
        }),
      );
      expect(quoted.status).toBe(200);
      // Each optional part is there, so that its schema is checked against a real one.
      expect(JSON.parse(quoted.text)).toMatchObject({
        lines: [
          { tiers: [expect.anything(), expect.anything()], rule: { id: 'contract-quotes' } },
          // A license term has a monthly equivalent (hourly ones are for reservations, not loaded here).
          { item: { view: 'updatedlicensebased' }, monthly: expect.anything() },
        ],
        rate: { currency: 'EUR' },
      });
      const bad = await call(
        '400 naming a field',
        route,
        route,
        post({ market: 'US', lines: [{ meterId: bandwidth, quantity: '-1' }] }),
      );
      expect(JSON.parse(bad.text)).toMatchObject({ code: 'InvalidBody', field: 'lines[0].quantity' });
      await call('400 not JSON', route, route, post('{"market":'));
      await call('401', route, route, post({ market: 'US', lines: [] }, {}));
      await call(
        '413',
        route,
        route,
        post({ market: 'US', lines: [{ meterId: bandwidth, quantity: 1, note: 'x'.repeat(MAX_QUOTE_BODY_BYTES) }] }),
      );
      const missing = await call(
        '422 ItemNotFound',
        route,
        route,
        post({
          market: 'US',
          date: '2026-11-01',
          lines: [
            { meterId: bandwidth, quantity: 1 },
            { meterId: '00000000-0000-0000-0000-000000000000', quantity: 1 },
          ],
        }),
      );
      expect(JSON.parse(missing.text)).toMatchObject({ code: 'ItemNotFound', field: 'lines[1]' });
      await send('/api/price-rules/contract-quotes', { method: 'DELETE', headers: key });
    },
    priceExport: async () => {
      const route = '/api/prices/export';
      const csv = await call('csv', route, '/api/prices/export?market=US&date=2026-11-01&customer=contoso', {
        headers: key,
      });
      expect(csv.status).toBe(200);
      expect(csv.text.startsWith('# Price list: market US')).toBe(true);
      const xlsx = await call('xlsx', route, '/api/prices/export?market=US&date=2026-11-01&currency=EUR&format=xlsx', {
        headers: key,
      });
      expect(xlsx.status).toBe(200);
      expect(xlsx.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.xlsx"$/);
      await call('400', route, '/api/prices/export?market=US&format=pdf', { headers: key });
      await call('401', route, '/api/prices/export?market=US');
      await call('404 MarketNotFound', route, '/api/prices/export?market=DE', { headers: key });
      await call('422 RateNotFound', route, '/api/prices/export?market=US&currency=EUR&date=2026-10-01', {
        headers: key,
      });
    },
    subscriptions: async () => {
      const route = '/api/subscriptions';
      const created = await call('POST 201 with the secret', route, route, json('POST', webhookSubscription));
      expect(created.status).toBe(201);
      expect(JSON.parse(created.text)).toMatchObject({ secret: expect.stringMatching(/^whsec_/) });
      const listed = await call('GET', route, route, { headers: key });
      expect(JSON.parse(listed.text).subscriptions).toEqual(expect.arrayContaining([expect.anything()]));
      await call('GET 304 with its ETag', route, route, {
        headers: { ...key, 'if-none-match': listed.headers.get('etag') ?? '' },
      });
      await call('GET 401', route, route);
      const bad = await call(
        'POST 400 naming a field',
        route,
        route,
        json('POST', { ...webhookSubscription, filters: { codes: ['ADD', 'NEW'] } }),
      );
      expect(JSON.parse(bad.text)).toMatchObject({ code: 'InvalidBody', field: 'filters.codes[1]' });
      await call('POST 401', route, route, json('POST', webhookSubscription, {}));
      await call(
        'POST 413',
        route,
        route,
        json('POST', { ...webhookSubscription, name: 'x'.repeat(MAX_SUBSCRIPTION_BODY_BYTES) }),
      );
    },
    subscription: async () => {
      const route = '/api/subscriptions/{id}';
      const id = await newSubscription(webhookSubscription);
      const target = `/api/subscriptions/${id}`;
      const read = await call('GET', route, target, { headers: key });
      expect(JSON.parse(read.text)).toMatchObject({ id, name: 'contract' });
      await call('GET 304 with its ETag', route, target, {
        headers: { ...key, 'if-none-match': read.headers.get('etag') ?? '' },
      });
      await call('GET 404 SubscriptionNotFound', route, `/api/subscriptions/${NO_SUCH_ID}`, { headers: key });
      await call('GET 401', route, target);
      const replaced = await call('PUT 200', route, target, json('PUT', { ...webhookSubscription, name: 'renamed' }));
      expect(JSON.parse(replaced.text)).toMatchObject({ subscription: { name: 'renamed' }, secret: null });
      const bad = await call(
        'PUT 400 naming a field',
        route,
        target,
        json('PUT', { ...webhookSubscription, destination: { kind: 'webhook', url: 'http://example.com/' } }),
      );
      expect(JSON.parse(bad.text)).toMatchObject({ code: 'InvalidBody', field: 'destination.url' });
      await call('PUT 404', route, `/api/subscriptions/${NO_SUCH_ID}`, json('PUT', webhookSubscription));
      await call('PUT 401', route, target, json('PUT', webhookSubscription, {}));
      await call(
        'PUT 413',
        route,
        target,
        json('PUT', { ...webhookSubscription, name: 'x'.repeat(MAX_SUBSCRIPTION_BODY_BYTES) }),
      );
      await call('DELETE 401', route, target, { method: 'DELETE' });
      await call('DELETE (204)', route, target, { method: 'DELETE', headers: key });
      await call('DELETE 404', route, target, { method: 'DELETE', headers: key });
    },
    subscriptionEvents: async () => {
      const route = '/api/subscriptions/{id}/events';
      const id = await newSubscriptionWithEvent();
      const target = `/api/subscriptions/${id}/events`;
      const listed = await call('GET', route, target, { headers: key });
      // An item, so that the event schema is checked against a real one.
      expect(JSON.parse(listed.text)).toMatchObject({ events: [{ subscriptionId: id }] });
      await call('GET 304 with its ETag', route, target, {
        headers: { ...key, 'if-none-match': listed.headers.get('etag') ?? '' },
      });
      await call('GET 400', route, `${target}?state=gone`, { headers: key });
      await call('GET 404', route, `/api/subscriptions/${NO_SUCH_ID}/events`, { headers: key });
      await call('GET 401', route, target);
    },
    redeliverEvent: async () => {
      const route = '/api/subscriptions/{id}/events/{eventId}/redeliver';
      const id = await newSubscriptionWithEvent();
      const post = (eventId: string, headers = key) => ({
        method: 'POST',
        headers,
        target: `/api/subscriptions/${id}/events/${eventId}/redeliver`,
      });
      const send202 = post(`contract-${id}`);
      expect((await call('202', route, send202.target, send202)).status).toBe(202);
      const missing = post('no-such-event');
      const gone = await call('404 EventNotFound', route, missing.target, missing);
      expect(JSON.parse(gone.text)).toMatchObject({ code: 'EventNotFound', parameter: 'eventId' });
      const anonymous = post(`contract-${id}`, {} as typeof key);
      await call('401', route, anonymous.target, anonymous);
    },
    digests: async () => {
      const route = '/api/digests';
      const id = await newDigest();
      const target = `/api/digests?subscriptionId=${id}`;
      const listed = await call('GET', route, target, { headers: key });
      expect(JSON.parse(listed.text)).toMatchObject({ digests: [{ subscriptionId: id, day: DIGEST_DAY }] });
      await call('GET 304 with its ETag', route, target, {
        headers: { ...key, 'if-none-match': listed.headers.get('etag') ?? '' },
      });
      await call('GET 400', route, '/api/digests?subscriptionId=x', { headers: key });
      await call('GET 401', route, target);
    },
    digest: async () => {
      const route = '/api/digests/{subscriptionId}/{day}';
      const id = await newDigest();
      const target = `/api/digests/${id}/${DIGEST_DAY}`;
      const html = await call('HTML', route, target, { headers: key });
      expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const markdown = await call('Markdown', route, `${target}?format=markdown`, { headers: key });
      expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      await call('400', route, `${target}?format=pdf`, { headers: key });
      await call('404 DigestNotFound', route, `/api/digests/${id}/2026-10-01`, { headers: key });
      await call('401', route, target);
    },
    health: async () => {
      await call('200', '/api/health', '/api/health');
    },
    openapi: async () => {
      const first = await call('200', '/api/openapi.json', '/api/openapi.json');
      await call('304', '/api/openapi.json', '/api/openapi.json', {
        headers: { 'if-none-match': first.headers.get('etag') ?? '' },
      });
    },
  };

  function validatorOf(schema: Json): (value: unknown) => string[] {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    // OpenAPI's `format: binary` (a file's bytes): any string; fileViolations checks the bytes.
    ajv.addFormat('binary', true);
    ajv.addSchema({ $id: CONTRACT, components: { schemas: doc.components.schemas } });
    const validate = ajv.compile(typeof schema.$ref === 'string' ? { $ref: `${CONTRACT}${schema.$ref}` } : schema);
    return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  }

  /** The named response a `$ref` points to, or the response itself. */
  const resolve = (response: Json): Json =>
    typeof response.$ref === 'string' ? doc.components.responses[response.$ref.split('/').pop() as string] : response;

  /** What is wrong with an answer, measured by the documented response of its status. */
  function violations(
    documented: Json | undefined,
    exchange: Pick<Exchange, 'status' | 'headers' | 'text' | 'bytes'>,
  ): string[] {
    if (!documented) return [`status ${exchange.status} is not documented`];
    const response = resolve(documented);
    const problems: string[] = [];
    for (const header of Object.keys(response.headers ?? {}))
      if (!exchange.headers.has(header)) problems.push(`header ${header} missing`);
    if (!response.content) return exchange.text === '' ? problems : [...problems, 'a body where none is documented'];
    const type = (exchange.headers.get('content-type') ?? '').split(';')[0].trim();
    const media = response.content[type];
    if (!media)
      return [...problems, `content type ${type} is not documented (${Object.keys(response.content).join(', ')})`];
    if (!isJsonMedia(type)) return [...problems, ...fileViolations(type, media.schema as Json, exchange)];
    return [...problems, ...validatorOf(media.schema)(JSON.parse(exchange.text))];
  }

  /**
   * A body of a non-JSON media type (a file download) as the document declares it: a binary string
   * (its schema, checked with the body as a string), not empty, and of its type — text that decodes
   * as UTF-8 for text/*, the format's signature for a binary type.
   */
  function fileViolations(type: string, schema: Json, exchange: Pick<Exchange, 'text' | 'bytes'>): string[] {
    const bytes = exchange.bytes ?? Buffer.from(exchange.text, 'utf8');
    if (schema.type !== 'string' || schema.format !== 'binary')
      return [`${type} is not JSON: documented as ${JSON.stringify(schema)}, not a binary string`];
    const problems = validatorOf(schema)(exchange.text);
    if (bytes.length === 0) problems.push(`${type}: an empty body`);
    if (type.startsWith('text/'))
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        problems.push(`${type}: not UTF-8 text`);
      }
    else if (!FILE_SIGNATURES[type]) problems.push(`${type}: no file signature known to check the body against`);
    else if (!bytes.subarray(0, FILE_SIGNATURES[type].length).equals(FILE_SIGNATURES[type]))
      problems.push(`${type}: the body does not start with the format's signature`);
    return problems;
  }

  it('is a valid OpenAPI 3.1 document (the official schema) and redocly lint is clean, offline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      fs.writeFileSync(file, JSON.stringify(doc, null, 2));
      const schema = await run(bin('validate-api'), [file]);
      expect(JSON.parse(schema.stdout)).toEqual({ valid: true });
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
      const root = path.join(__dirname, '..', '..');
      const lint = await run(bin('redocly'), ['lint', file, '--config', path.join(root, 'redocly.yaml')], { env });
      expect(`${lint.stdout}${lint.stderr}`).toMatch(/Your API description is valid/);
      expect(`${lint.stdout}${lint.stderr}`).not.toMatch(/You have \d+ warning/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers every call of every registered HTTP function as documented', async () => {
    const http = registeredFunctions().flatMap((r) => (r.kind === 'http' ? [r] : []));
    expect(http.map((r) => r.name).filter((name) => !(name in scenarios))).toEqual([]);
    for (const fn of http) await scenarios[fn.name]();

    const wrong = exchanges.flatMap((exchange) => {
      const operation = doc.paths[exchange.path]?.[exchange.method.toLowerCase()];
      if (!operation) return [`${exchange.method} ${exchange.path}: no such operation`];
      return violations(operation.responses[String(exchange.status)], exchange).map(
        (problem) => `${exchange.method} ${exchange.path} (${exchange.label}) ${exchange.status}: ${problem}`,
      );
    });
    expect(wrong).toEqual([]);

    // Every documented status was answered, but those that need storage to fail (checked below).
    const unanswered = Object.entries(doc.paths as Json).flatMap(([route, item]) =>
      Object.entries(item as Json).flatMap(([method, operation]) =>
        Object.keys((operation as Json).responses)
          .filter((status) => !['500', '503'].includes(status))
          .filter(
            (status) =>
              !exchanges.some(
                (e) => e.path === route && e.method.toLowerCase() === method && String(e.status) === status,
              ),
          )
          .map((status) => `${method.toUpperCase()} ${route} ${status}`),
      ),
    );
    expect(unanswered).toEqual([]);
  }, 120_000);

  it("answers the runner's own 404 and 405 with the documented problem", async () => {
    const answer = await send('/api/no-such-endpoint');
    expect(answer.status).toBe(404);
    expect(violations({ $ref: '#/components/responses/NotFound' }, answer)).toEqual([]);
    const wrongMethod = await send('/api/health', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('content-type')).toBe('application/problem+json');
    expect(validatorOf({ $ref: '#/components/schemas/Problem' })(JSON.parse(wrongMethod.text))).toEqual([]);
  });

  it('answers 503 (storage down) and 500 with the documented problems', async () => {
    const port = 1; // nothing listens on port 1 of the loopback interface: connections are refused at once
    const down = createStorageClients(
      loadSettings({
        AzureWebJobsStorage: emulatorConnectionString('127.0.0.1', { blob: port, queue: port, table: port }),
      }),
      undefined,
      { deadlineMs: 2000 },
    );
    const asExchange = (response: ApiResponse) => ({
      status: response.status,
      headers: new Headers(response.headers),
      text: response.body,
    });
    const unavailable = await handlePrices(
      q({ market: 'US' }),
      down,
      logger(),
      'a paging key of this test, long enough',
    );
    expect(unavailable.status).toBe(503);
    expect(violations(doc.paths['/api/prices'].get.responses['503'], asExchange(unavailable))).toEqual([]);
    const failed = await runEndpoint(logger(), () => Promise.reject(new Error('boom')));
    expect(failed.status).toBe(500);
    expect(violations(doc.paths['/api/prices'].get.responses['500'], asExchange(failed))).toEqual([]);
  });
});
