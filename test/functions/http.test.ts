import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { registeredFunctions, type HttpRegistration } from '../../runtime/registry';
import { testSettings } from '../helpers/storage';
import { createStorageClients } from '../../shared/storage/clients';
import { consumptionSheet, fxCsv, ingestFx, ingestSheet, TIER_METER } from '../helpers/apiFixtures';

/** The API through the local runner (the same registrations the Functions host reads), and its OpenAPI document. */
describe('HTTP API through the local runner', () => {
  let runner: Runner;
  const settings = testSettings({ LOCAL_FUNCTION_KEY: 'local-test-key' });
  const storage = createStorageClients(settings);
  const key = { 'x-functions-key': 'local-test-key' };

  beforeAll(async () => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    await ingestSheet(storage, settings, consumptionSheet(), { asOf: '2026-11-01' });
    await ingestFx(storage, settings, fxCsv({ EUR: '1.0867' }), '2026-11-01');
    runner = await startTestRunner({
      settings,
      storage,
      functionKey: settings.LOCAL_FUNCTION_KEY,
    });
  });
  afterAll(() => runner?.close());

  it('serves prices, changes and rates with the function key, exact numbers on the wire', async () => {
    const prices = await fetch(
      `${runner.url}/api/prices?market=US&meterId=${TIER_METER}&convertTo=EUR&date=2026-11-02`,
      { headers: key },
    );
    expect(prices.status).toBe(200);
    expect(await prices.text()).toContain('"unitPrice":0.000140');
    expect((await fetch(`${runner.url}/api/prices?market=US`)).status).toBe(401);
    const changes = await fetch(
      `${runner.url}/api/prices/changes?market=US&from=2026-11-01&to=2026-11-02&code=local-test-key`,
    );
    expect(changes.status).toBe(200);
    const rates = await fetch(`${runner.url}/api/exchange-rates?currency=EUR&date=2026-11-02`, { headers: key });
    expect(await rates.json()).toMatchObject({ base: 'USD', rates: [{ currency: 'EUR', usdPerUnit: 1.0867 }] });
    const bad = await fetch(`${runner.url}/api/prices?market=US&top=5000`, { headers: key });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'InvalidParameter', parameter: 'top' });
  });

  it('publishes an OpenAPI document of every HTTP function and every query parameter, without a key', async () => {
    const response = await fetch(`${runner.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            parameters: { name: string; in: string; required: boolean }[];
            responses: Record<string, unknown>;
          }
        >
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    const http = registeredFunctions().filter((r): r is HttpRegistration => r.kind === 'http');
    expect(http.map((r) => r.name)).toEqual(
      expect.arrayContaining(['prices', 'priceChanges', 'exchangeRates', 'openapi', 'health']),
    );
    for (const fn of http) {
      const fnDoc = await fn.doc();
      const item = doc.paths[`/api/${fn.options.route.replace(/\{(\w+)[^}]*\}/g, '{$1}')}`];
      expect(item).toBeDefined();
      for (const method of fn.options.methods) {
        const operation = item[method.toLowerCase()];
        expect(operation.operationId).toContain(fn.name);
        const names = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
        expect(names.sort()).toEqual(Object.keys(fnDoc?.query?.shape ?? {}).sort());
      }
    }
    const prices = doc.paths['/api/prices'].get;
    expect(prices.parameters.find((p) => p.name === 'market')).toMatchObject({ required: true });
    expect(prices.parameters.find((p) => p.name === 'top')).toMatchObject({
      required: false,
      schema: { default: 100 },
    });
    expect(prices.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'market',
        'view',
        'meterId',
        'productId',
        'skuId',
        'termDuration',
        'billingPlan',
        'currency',
        'date',
        'convertTo',
        'top',
        'continuationToken',
      ]),
    );
    expect(Object.keys(prices.responses)).toEqual(expect.arrayContaining(['200', '400', '422', '503']));
    const queryOf = (path: string) => doc.paths[path].get.parameters.filter((p) => p.in === 'query').map((p) => p.name);
    expect(queryOf('/api/prices/changes')).toEqual(['market', 'view', 'from', 'to', 'top', 'continuationToken']);
    expect(queryOf('/api/exchange-rates')).toEqual(['date', 'currency']);
    expect(doc.paths['/api/health'].get.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/HealthResponse' } } },
    });
    const health = doc.components.schemas.HealthResponse as {
      properties: { prices: { items: { properties: object } } };
    };
    const entry = health.properties.prices.items.properties;
    expect(Object.keys(entry)).toEqual(
      expect.arrayContaining(['lastSuccess', 'lastSuccessAt', 'asOf', 'ageHours', 'stale', 'lastFailure']),
    );
  });
});
