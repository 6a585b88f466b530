import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A webhook receiver for the benchmark: answers 204 and counts events and the prices they carry. */
export async function startWebhookReceiverForBench() {
  let count = 0;
  let items = 0;
  let first = 0;
  let last = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = performance.now();
      if (count === 0) first = now;
      last = now;
      count++;
      items += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { items: unknown[] } }).data.items.length;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    items: () => items,
    first: () => first,
    last: () => last,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
