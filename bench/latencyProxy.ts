import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy in front of one storage endpoint of the embedded Azurite that holds every request for
 * `delayMs` before forwarding it: Azure's round trip is about 5–10 ms, Azurite's well under 1 ms,
 * so without it the benchmark hides what batching saves (one round trip per 100 entities instead
 * of one per row). Written on node:http: forwarding with a fixed delay is a dozen lines, which a
 * proxy library would not shorten.
 */
export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

export async function startLatencyProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<LatencyProxy> {
  // As many parallel connections to Azurite as the clients open to the proxy, each kept alive.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const server = http.createServer((request, response) => {
    setTimeout(() => {
      const upstream = http.request(
        {
          host: target.host,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) => response.destroy(error));
      request.pipe(upstream);
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
