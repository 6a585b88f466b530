import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from '../helpers/certificate';

/**
 * An Event Grid custom topic on 127.0.0.1 speaking the publish API the SDK calls for the CloudEvents
 * schema: POST /api/events?api-version=2018-01-01 with `content-type: application/cloudevents-batch+json;
 * charset=utf-8`, `Authorization: Bearer <token>` and a JSON array of CloudEvents; 200 with an empty body.
 * A wrong or missing token gets 401, a wrong path 404, a body that is no batch of CloudEvents 1.0
 * 400, as the service answers. Over https with a self-signed certificate (made with openssl): the SDK
 * sends bearer tokens over https only; `caFile` is that certificate, for NOTIFY_EVENTGRID_CA_FILE.
 */

export interface TopicRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  events: Record<string, unknown>[];
  at: number;
}

export interface EventGridTopicFake {
  /** The endpoint, as NOTIFY_EVENTGRID_ENDPOINT takes it. */
  endpoint: string;
  caFile: string;
  token: string;
  /** Accepted publishes. */
  published: TopicRequest[];
  /** Every request, refused ones included (status and how many answered so). */
  answered: { status: number; at: number }[];
  /** The next `times` publishes are answered with `status` (and Retry-After when given). */
  fail(status: number, times?: number, retryAfter?: string): void;
  close(): Promise<void>;
}

const BATCH_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

export async function startEventGridTopicFake(token = 'local-topic-token'): Promise<EventGridTopicFake> {
  const { keyFile, certFile } = selfSignedCertificate('topic-fake-');
  const [key, cert] = [fs.readFileSync(keyFile, 'utf8'), fs.readFileSync(certFile, 'utf8')];
  const published: TopicRequest[] = [];
  const answered: { status: number; at: number }[] = [];
  const failures: { status: number; retryAfter?: string }[] = [];

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const reply = (status: number, body: unknown = '', headers: Record<string, string> = {}) => {
        answered.push({ status, at: Date.now() });
        const text = body === '' ? '' : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      };
      const error = (status: number, code: string, message: string) => reply(status, { error: { code, message } });
      if (req.method !== 'POST' || url.pathname !== '/api/events') return error(404, 'NotFound', 'no such endpoint');
      if (url.searchParams.get('api-version') !== '2018-01-01')
        return error(400, 'BadRequest', 'api-version 2018-01-01 is required');
      if (req.headers.authorization !== `Bearer ${token}`) return error(401, 'Unauthorized', 'invalid bearer token');
      if (req.headers['content-type'] !== BATCH_TYPE)
        return error(400, 'BadRequest', `content-type must be ${BATCH_TYPE}`);
      let events: unknown;
      try {
        events = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return error(400, 'BadRequest', 'the body is not JSON');
      }
      const valid =
        Array.isArray(events) &&
        events.every(
          (e: Record<string, unknown>) =>
            e.specversion === '1.0' &&
            typeof e.id === 'string' &&
            typeof e.type === 'string' &&
            typeof e.source === 'string',
        );
      if (!valid) return error(400, 'BadRequest', 'the body must be an array of CloudEvents 1.0');
      const failure = failures.shift();
      if (failure) {
        const headers: Record<string, string> = failure.retryAfter ? { 'retry-after': failure.retryAfter } : {};
        return reply(
          failure.status,
          { error: { code: 'Injected', message: `injected HTTP ${failure.status}` } },
          headers,
        );
      }
      published.push({
        path: req.url ?? '',
        headers: req.headers,
        events: events as Record<string, unknown>[],
        at: Date.now(),
      });
      return reply(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}/api/events`,
    caFile: certFile,
    token,
    published,
    answered,
    fail(status, times = 1, retryAfter) {
      for (let i = 0; i < times; i++) failures.push({ status, retryAfter });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
