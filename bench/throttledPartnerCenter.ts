import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

/**
 * A Partner Center for the fan-out benchmark, on 127.0.0.1: the token endpoint of the secure application
 * model and `pricesheets(Market='XX',PricesheetView='azure_consumption')/$value` downloads of a file per
 * market, each answered after a fixed latency. Like Partner Center's API throttling, a request above
 * `concurrencyLimit` downloads in flight is answered 429 with `Retry-After`. One market can be made to
 * fail with 400 every time (a request Partner Center refuses; a retry cannot help).
 * (The tests' fake lives in test/fakes, which the benchmark may not import; this one adds latency and
 * throttling and streams large files from disk.)
 */
export interface ThrottledPartnerCenter {
  url: string;
  /** App settings pointing the app at this fake. */
  settings: Record<string, string>;
  stats(): ThrottleStats;
  close(): Promise<void>;
}

export interface ThrottleStats {
  downloads: number;
  throttled: number;
  /** The most downloads in flight at once (throttled requests not counted). */
  mostInFlight: number;
  /** Per throttled request: ms until the same sheet was asked for again (Retry-After honoured if ≥ its value). */
  retryGapsMs: number[];
  retryAfterSeconds: number;
}

const SHEET_PATH = /^\/v1\.0\/sales\/pricesheets\(Market='([A-Z]{2})',PricesheetView='azure_consumption'\)\/\$value$/;

export async function startThrottledPartnerCenter(options: {
  files: Map<string, string>;
  latencyMs: number;
  concurrencyLimit: number;
  retryAfterSeconds: number;
  failingMarket?: string;
}): Promise<ThrottledPartnerCenter> {
  let inFlight = 0;
  const stats: ThrottleStats = {
    downloads: 0,
    throttled: 0,
    mostInFlight: 0,
    retryGapsMs: [],
    retryAfterSeconds: options.retryAfterSeconds,
  };
  const throttledAt = new Map<string, number>();
  const delay = () => new Promise((resolve) => setTimeout(resolve, options.latencyMs));

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      req.resume();
      if (req.method === 'POST' && url.pathname.endsWith('/oauth2/token')) {
        await delay();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token_type: 'Bearer', expires_in: '3599', access_token: 'bench-token' }));
        return;
      }
      const market = SHEET_PATH.exec(decodeURIComponent(url.pathname))?.[1];
      const file = market && options.files.get(market);
      if (!market || !file) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"message":"Not Found"}');
        return;
      }
      const earlier = throttledAt.get(market);
      if (earlier !== undefined) {
        stats.retryGapsMs.push(Date.now() - earlier);
        throttledAt.delete(market);
      }
      if (inFlight >= options.concurrencyLimit) {
        stats.throttled++;
        throttledAt.set(market, Date.now());
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(options.retryAfterSeconds) });
        res.end('{"statusCode":429,"message":"Rate limit is exceeded. Try again later."}');
        return;
      }
      inFlight++;
      stats.downloads++;
      stats.mostInFlight = Math.max(stats.mostInFlight, inFlight);
      try {
        await delay();
        if (market === options.failingMarket) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end('{"code":"400","description":"The market is not enabled for this partner."}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        await pipeline(fs.createReadStream(file), res);
      } finally {
        inFlight--;
      }
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    settings: {
      PARTNER_CENTER_TENANT_ID: 'bench-tenant',
      PARTNER_CENTER_APP_ID: 'bench-app',
      PARTNER_CENTER_APP_SECRET: 'bench-secret-value',
      PARTNER_CENTER_REFRESH_TOKEN: 'bench-refresh-token',
      PARTNER_CENTER_AUTHORITY: url,
      PARTNER_CENTER_BASE_URL: url,
    },
    stats: () => ({ ...stats, retryGapsMs: [...stats.retryGapsMs] }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
