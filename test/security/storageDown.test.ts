import net from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadSettings } from '../../shared/config/settings';
import { createStorageClients, emulatorConnectionString } from '../../shared/storage/clients';
import { handlePrices } from '../../shared/prices/endpoints/lookup';
import { handlePriceChanges } from '../../shared/prices/endpoints/changes';
import { handleExchangeRates } from '../../shared/rates/endpoint';
import { logger, q } from '../helpers/apiFixtures';
import { httpHandlerOf } from '../helpers/functions';
import type { ApiResponse } from '../../shared/api/endpoint';

/** The key the endpoints sign continuation tokens with in these tests. */
const PAGING_SECRET = 'test-paging-secret-of-32-characters!';

/**
 * Storage down or hanging: every endpoint answers 503 with Retry-After within a few seconds, and
 * the body names neither the address nor the error (anonymous callers see health).
 */

/** A port nothing listens on: a connection to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never answers: storage that hangs. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const connectionTo = (port: number) => emulatorConnectionString('127.0.0.1', { blob: port, queue: port, table: port });

function expectQuick503(response: ApiResponse, startedAt: number, port: number): void {
  expect(Date.now() - startedAt).toBeLessThan(3000);
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(JSON.parse(response.body)).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
  expect(response.body).not.toContain(String(port));
  expect(response.body).not.toMatch(/ECONN|127\.0\.0\.1|RestError/);
}

describe('storage refusing connections', () => {
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
    // The function handlers build their clients from the environment, as under the host.
    process.env.AzureWebJobsStorage = connectionTo(port);
  });

  it('prices, price changes and exchange rates answer 503 with Retry-After, fast', async () => {
    const settings = loadSettings({ AzureWebJobsStorage: connectionTo(port) });
    const storage = createStorageClients(settings, undefined, { deadlineMs: 2000 });
    for (const call of [
      () => handlePrices(q({ market: 'US' }), storage, logger(), PAGING_SECRET),
      () => handlePrices(q({ market: 'US', meterId: 'abc' }), storage, logger(), PAGING_SECRET),
      () =>
        handlePriceChanges(q({ market: 'US', from: '2026-11-01', to: '2026-11-02' }), storage, logger(), PAGING_SECRET),
      () => handleExchangeRates(q({}), storage, logger()),
    ]) {
      const startedAt = Date.now();
      expectQuick503(await call(), startedAt, port);
    }
  });

  it('anonymous health answers 503 with Retry-After, fast, without the connection error', async () => {
    const startedAt = Date.now();
    const response = await httpHandlerOf('health')(
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' }),
      new InvocationContext({ functionName: 'health', logHandler: () => {} }),
    );
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({
      'retry-after': expect.stringMatching(/^\d+$/),
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
    });
    const body = response.body as string;
    expect(JSON.parse(body)).toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      health: { status: 'unavailable', storage: { reachable: false } },
    });
    expect(body).not.toMatch(/ECONN|127\.0\.0\.1|error/i);
  });
});

describe('storage that accepts and never answers', () => {
  it('answers 503 once STORAGE_TIMEOUT_SECONDS (here 1 s) have passed', async () => {
    const silent = await silentServer();
    try {
      const settings = loadSettings({ AzureWebJobsStorage: connectionTo(silent.port), STORAGE_TIMEOUT_SECONDS: '1' });
      const storage = createStorageClients(settings, undefined, {
        deadlineMs: settings.STORAGE_TIMEOUT_SECONDS * 1000,
      });
      const startedAt = Date.now();
      const response = await handlePrices(q({ market: 'US', meterId: 'abc' }), storage, logger(), PAGING_SECRET);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
      expectQuick503(response, startedAt, silent.port);
    } finally {
      await silent.close();
    }
  });
});
