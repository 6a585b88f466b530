import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../../../shared/config/settings';
import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { createStorageClients } from '../../../shared/storage/clients';
import { versionsOfEntity } from '../../../shared/prices/tables/versions';
import { asWritten, testSettings } from '../../helpers/storage';
import { consumptionRow, downloadOf, ingestRequest, meterId, sheetCsv } from '../../helpers/priceSheets';

/** A proxy in front of the suite's table endpoint that answers the first transactions 503 or 429. */
async function throttlingProxy(tableEndpoint: URL, refusals: number[]) {
  const seen: number[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url?.includes('$batch') && refusals.length > 0) {
      const status = refusals.shift() as number;
      seen.push(status);
      req.resume();
      res.writeHead(status, { 'Retry-After': '1', 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          'odata.error': { code: status === 429 ? 'TooManyRequests' : 'ServerBusy', message: { value: 'throttled' } },
        }),
      );
      return;
    }
    const upstream = http.request(
      {
        host: tableEndpoint.hostname,
        port: tableEndpoint.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: tableEndpoint.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('writes under throttling', () => {
  it('backs off on 503 and 429 from the table service and still stores every version', async () => {
    const base = testSettings();
    const connection = base.AzureWebJobsStorage as string;
    const tableEndpoint = new URL(/TableEndpoint=([^;]+)/.exec(connection)?.[1] as string);
    const proxy = await throttlingProxy(tableEndpoint, [503, 429, 503, 503, 429]);
    try {
      const proxied = connection.replace(
        /TableEndpoint=http:\/\/[^/]+/,
        `TableEndpoint=http://127.0.0.1:${proxy.port}`,
      );
      const settings = loadSettings({
        AzureWebJobsStorage: proxied,
        STORAGE_NAME_PREFIX: base.STORAGE_NAME_PREFIX,
        TABLE_WRITE_CONCURRENCY: '1',
      });
      const storage = createStorageClients(settings);
      const rows = Array.from({ length: 300 }, (_, i) => consumptionRow({ MeterIds: meterId(800_000 + i) }));
      const run = await ingestPriceSheet(ingestRequest(storage, settings, downloadOf(sheetCsv(rows))));
      expect(proxy.seen).toEqual([503, 429, 503, 503, 429]);
      expect(run.outcome).toBe('succeeded');
      let versions = 0;
      for await (const e of storage.table(storage.names.tables.prices).listEntities())
        versions += versionsOfEntity(e, asWritten).length;
      expect(versions).toBe(300);
    } finally {
      await proxy.close();
    }
  });
});
