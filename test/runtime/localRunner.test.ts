import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { registeredFunctions } from '../../runtime/registry';
import { testSettings } from '../helpers/storage';
import { createStorageClients } from '../../shared/storage/clients';

const functionsDir = path.join(__dirname, '..', '..', 'functions');
const PORTAL = 'https://portal.example.com';

describe('local runner (npm start without the Functions host)', () => {
  let runner: Runner;
  const settings = testSettings({ LOCAL_FUNCTION_KEY: 'local-test-key', CORS_ALLOWED_ORIGINS: PORTAL });

  beforeAll(async () => {
    // The functions read their settings from the environment, as under the Functions host.
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    runner = await startTestRunner({
      settings,
      storage: createStorageClients(settings),
      functionKey: settings.LOCAL_FUNCTION_KEY,
    });
  });
  afterAll(() => runner.close());

  /** Sends the bytes as they are (fetch would correct a bad Host or Content-Length) and returns the first answer. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(runner.url).port), '127.0.0.1', () => socket.write(request));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });

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

  it('answers 404 and 405 as problems', async () => {
    const missing = await fetch(`${runner.url}/api/nope`);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({ status: 404, code: 'NotFound', type: '/problems/not-found' });
    const wrong = await fetch(`${runner.url}/api/health`, { method: 'DELETE' });
    expect(await wrong.json()).toMatchObject({
      status: 405,
      code: 'MethodNotAllowed',
      detail: 'DELETE is not allowed on /api/health',
    });
  });

  describe('CORS (CORS_ALLOWED_ORIGINS), as the platform does it in Azure', () => {
    const preflight = (origin: string) =>
      fetch(`${runner.url}/api/prices`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-functions-key',
        },
      });

    it('answers a preflight from an allowed origin itself, without the key', async () => {
      const response = await preflight(PORTAL);
      expect(response.status).toBe(204);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'access-control-allow-origin': PORTAL,
        'access-control-allow-methods': expect.stringContaining('GET'),
        'access-control-allow-headers': expect.stringMatching(/If-None-Match.*x-functions-key/),
        'access-control-max-age': '600',
        vary: 'Origin',
      });
    });

    it('lets an allowed origin read the answer and its ETag; another origin gets no CORS header', async () => {
      const allowed = await fetch(`${runner.url}/api/health`, { headers: { origin: PORTAL } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(allowed.headers.get('access-control-expose-headers')).toBe('ETag, Retry-After');
      const other = await fetch(`${runner.url}/api/health`, { headers: { origin: 'https://evil.example.com' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('vary')).toBe('Origin');
      const otherPreflight = await preflight('https://evil.example.com');
      expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(otherPreflight.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  it('runs a timer on demand through the admin endpoint, like the Functions host; the queue functions run its plan', async () => {
    const accepted = await fetch(`${runner.url}/admin/functions/refreshPrices`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-functions-key': 'local-test-key' },
    });
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

  describe('admin endpoint, with LOCAL_FUNCTION_KEY set', () => {
    const admin = (
      name: string,
      body: string,
      headers: Record<string, string> = { 'x-functions-key': 'local-test-key' },
    ) => fetch(`${runner.url}/admin/functions/${name}`, { method: 'POST', body, headers });

    it('refuses to run anything without the key or with another one (401)', async () => {
      const refused: Record<string, string>[] = [
        {},
        { 'x-functions-key': 'wrong' },
        { 'x-functions-key': 'local-test-kez' },
      ];
      for (const headers of refused) {
        const response = await admin('refreshExchangeRates', '{}', headers);
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ status: 401, code: 'Unauthorized' });
      }
    });

    it('answers 404 for a name that is no timer or queue function', async () => {
      for (const name of ['noSuchFunction', 'prices']) expect((await admin(name, '{}')).status).toBe(404);
    });

    it('answers 400 for a body that is not {} or {"input": "<text>"}', async () => {
      for (const body of ['{', '[]', '"x"', '{"input":42}']) {
        const response = await admin('refreshExchangeRates', body);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect(await response.json()).toMatchObject({ status: 400, code: 'InvalidBody' });
      }
      expect((await admin('priceUploads', '{}')).status).toBe(400);
    });
  });

  it('streams a file answer (a price-list export) with its headers', async () => {
    const response = await fetch(`${runner.url}/api/prices/export?market=US&date=2026-11-01&format=csv`, {
      headers: { 'x-functions-key': 'local-test-key' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('prices-US-azure_consumption-2026-11-01.csv');
    const lines = (await response.text()).split('\n');
    expect(lines[0]).toBe('# Price list: market US, view azure_consumption');
    expect(lines[6]).toMatch(/^Product,Product ID,SKU ID,/);
  });

  it('hands repeated query parameters to the function as sent, which refuses them (400)', async () => {
    const response = await fetch(`${runner.url}/api/prices?market=US&market=DE`, {
      headers: { 'x-functions-key': 'local-test-key' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'DuplicateParameter', parameter: 'market' });
  });

  it('answers 400 to a malformed Host header', async () => {
    const answer = await raw('GET /api/health HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('stops reading a request body at the function limit: a 49 MiB streamed post is cut off early (413)', async () => {
    const total = 49 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const { status, sent } = await new Promise<{ status?: number; sent: number }>((resolve) => {
      let sent = 0;
      let status: number | undefined;
      const post = http.request(`${runner.url}/api/customers/validate`, {
        method: 'POST',
        headers: { 'x-functions-key': 'local-test-key', 'content-type': 'application/json' },
      });
      post.on('response', (response) => {
        status = response.statusCode;
        response.resume();
      });
      // The server closes the connection while the client still sends: that error is the expected end.
      post.on('error', () => {});
      post.on('close', () => resolve({ status, sent }));
      const write = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!post.write(chunk)) return void post.once('drain', write);
        }
        post.end();
      };
      write();
    });
    expect(status).toBe(413);
    // What the client got to send: the 64 KiB read plus what the sockets buffer, far from the whole body.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('answers 413 at once when the declared length is over the limit, without waiting for the body', async () => {
    const answer = await raw(
      'POST /api/customers/validate HTTP/1.1\r\nHost: localhost\r\nx-functions-key: local-test-key\r\n' +
        `Content-Length: ${60 * 1024 * 1024}\r\n\r\n{}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  }, 5000);
});
