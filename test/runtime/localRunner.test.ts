import fs from 'node:fs';
import path from 'node:path';
import { startLocalRunner, type Runner } from '../../runtime/localRunner';
import { registeredFunctions } from '../../runtime/registry';
import { testSettings } from '../helpers/storage';
import { createStorageClients } from '../../shared/storage/clients';

const functionsDir = path.join(__dirname, '..', '..', 'functions');

describe('local runner (npm start without the Functions host)', () => {
  let runner: Runner;
  const settings = testSettings({ LOCAL_FUNCTION_KEY: 'local-test-key' });

  beforeAll(async () => {
    // The functions read their settings from the environment, as under the Functions host.
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    runner = await startLocalRunner({
      port: 0,
      settings,
      storage: createStorageClients(settings),
      functionsDir,
      functionKey: settings.LOCAL_FUNCTION_KEY,
      pollBlobs: false,
      runTimers: false,
      log: () => {},
    });
  });
  afterAll(() => runner.close());

  it('registers every function file exactly once, and serves what the registry holds', () => {
    const files = fs.readdirSync(functionsDir).filter((file) => file.endsWith('.ts'));
    const names = registeredFunctions().map((fn) => fn.name);
    expect(names).toHaveLength(files.length);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['refreshPrices', 'health']));
  });

  it('serves anonymous health, 404 and 405', async () => {
    const health = await fetch(`${runner.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ storage: { reachable: true }, staleAfterHours: 36 });
    expect((await fetch(`${runner.url}/api/nope`)).status).toBe(404);
    expect((await fetch(`${runner.url}/api/health`, { method: 'DELETE' })).status).toBe(405);
  });

  it('runs a timer on demand through the admin endpoint, like the Functions host', async () => {
    const accepted = await fetch(`${runner.url}/admin/functions/refreshPrices`, { method: 'POST', body: '{}' });
    expect(accepted.status).toBe(202);
    let report: { status: string; prices: { market: string; view: string; stale: boolean }[] } | undefined;
    for (let i = 0; i < 100; i++) {
      report = (await (await fetch(`${runner.url}/api/health`)).json()) as typeof report;
      if (report?.status === 'ok') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(report?.status).toBe('ok');
    expect(
      report?.prices
        .filter((price) => !price.stale)
        .map((price) => `${price.market}/${price.view}`)
        .sort(),
    ).toEqual(['US/azure_consumption', 'US/azure_reservations']);
  });

  it('asks for the configured key on functions with authLevel function', async () => {
    const secured = registeredFunctions().find((fn) => fn.kind === 'http' && fn.options.authLevel === 'function');
    if (secured?.kind !== 'http') throw new Error('no HTTP function asks for a key');
    const url = `${runner.url}/api/${secured.options.route}`;
    expect((await fetch(url, { method: secured.options.methods[0] })).status).toBe(401);
    expect(
      (await fetch(url, { method: secured.options.methods[0], headers: { 'x-functions-key': 'local-test-key' } }))
        .status,
    ).not.toBe(401);
  });
});
