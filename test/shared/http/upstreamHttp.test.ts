import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { statusError, UpstreamHttpError } from '../../../shared/http/upstreamHttp';
import { rememberSecrets } from '../../../shared/observability/redact';
import { startFakeServer, type FakeServer } from '../../fakes/fakeServer';
import { fastHttp, fastSettings, gapMs, readBody } from '../../helpers/sources';

describe('upstream HTTP', () => {
  let fake: FakeServer;
  const big = Buffer.alloc(1024 * 1024, 'x');

  beforeEach(async () => {
    fake = await startFakeServer((request) =>
      request.url.pathname === '/big' ? { status: 200, body: big } : { status: 200, body: 'hello, world' },
    );
  });
  afterEach(() => fake.close());

  it('honours Retry-After in seconds on 429', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: '1' });
    const response = await fastHttp(fastSettings({ HTTP_MAX_RETRY_DELAY_MS: '5000' })).send({ url: `${fake.url}/x` });
    expect(response.status).toBe(200);
    expect(response.text).toBe('hello, world');
    expect(response.attempts).toBe(2);
    expect(gapMs(fake.requests, 1)).toBeGreaterThanOrEqual(950);
  });

  it('honours Retry-After as an HTTP date', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 2000).toUTCString() });
    const response = await fastHttp(fastSettings({ HTTP_MAX_RETRY_DELAY_MS: '5000' })).send({ url: `${fake.url}/x` });
    expect(response.status).toBe(200);
    // HTTP dates have whole seconds: the wait is between one and two seconds.
    expect(gapMs(fake.requests, 1)).toBeGreaterThanOrEqual(950);
  });

  it('caps Retry-After at HTTP_MAX_RETRY_DELAY_MS', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: '3600' });
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.status).toBe(200);
    expect(gapMs(fake.requests, 1)).toBeLessThan(1000);
  });

  it('backs off on a 429 without Retry-After', async () => {
    fake.inject({ kind: 'status', status: 429 });
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(2);
  });

  it('retries 5xx with growing delays, then succeeds', async () => {
    fake.inject({ kind: 'status', status: 503 }, { times: 3 });
    const settings = fastSettings({ HTTP_RETRY_DELAY_MS: '100', HTTP_MAX_RETRY_DELAY_MS: '1000' });
    const response = await fastHttp(settings).send({ url: `${fake.url}/x` });
    expect(response.status).toBe(200);
    expect(fake.requests).toHaveLength(4);
    // 100·2^n with the upper half jittered: at least 50, 100, 200 ms.
    expect(gapMs(fake.requests, 1)).toBeGreaterThanOrEqual(45);
    expect(gapMs(fake.requests, 3)).toBeGreaterThanOrEqual(195);
  });

  it('hands back the last 5xx once the retries are spent', async () => {
    fake.inject({ kind: 'status', status: 500 }, { times: 10 });
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.status).toBe(500);
    expect(response.attempts).toBe(4);
    expect(fake.requests).toHaveLength(4);
  });

  it('does not retry a 4xx other than 408/429', async () => {
    fake.inject({ kind: 'status', status: 400 }, { times: 10 });
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.status).toBe(400);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a reset connection', async () => {
    fake.inject({ kind: 'reset' }, { times: 2 });
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.text).toBe('hello, world');
    expect(response.attempts).toBe(3);
  });

  it('gives up on connections that keep failing, naming the endpoint and the attempts', async () => {
    fake.inject({ kind: 'reset' }, { times: 10 });
    const failure = fastHttp().send({ url: `${fake.url}/x?code=hidden` });
    await expect(failure).rejects.toBeInstanceOf(UpstreamHttpError);
    await expect(failure).rejects.toThrow(`${fake.url}/x: socket hang up (gave up after 4 attempts)`);
  });

  it('times out a server that never answers, and retries', async () => {
    fake.inject({ kind: 'hang' });
    const started = Date.now();
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.text).toBe('hello, world');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('reports a timeout when every attempt hangs', async () => {
    fake.inject({ kind: 'hang' }, { times: 10 });
    await expect(fastHttp(fastSettings({ HTTP_MAX_RETRIES: '1' })).send({ url: `${fake.url}/x` })).rejects.toThrow(
      /no response within 500 ms \(gave up after 2 attempts\)/,
    );
  });

  it('retries a buffered body that was cut off', async () => {
    fake.inject({ kind: 'truncate', afterBytes: 5 });
    const response = await fastHttp().send({ url: `${fake.url}/x` });
    expect(response.text).toBe('hello, world');
    expect(response.attempts).toBe(2);
  });

  it('streams a body', async () => {
    const response = await fastHttp().stream({ url: `${fake.url}/big` });
    if (!response.ok) throw new Error('expected a stream');
    expect((await readBody(response.body)).equals(big)).toBe(true);
  });

  it('fails a streamed body shorter than its Content-Length', async () => {
    fake.inject({ kind: 'truncate', afterBytes: 1000 });
    const response = await fastHttp().stream({ url: `${fake.url}/big` });
    if (!response.ok) throw new Error('expected a stream');
    await expect(readBody(response.body)).rejects.toThrow(
      new RegExp(`GET ${fake.url}/big: body truncated.* \\(received 1000 of 1048576 bytes\\)`),
    );
  });

  it('fails a streamed body when the server goes quiet', async () => {
    fake.inject({ kind: 'idle', afterBytes: 1000 });
    const response = await fastHttp().stream({ url: `${fake.url}/big` });
    if (!response.ok) throw new Error('expected a stream');
    const started = Date.now();
    await expect(readBody(response.body)).rejects.toThrow(/no data for 300 ms \(received 1000 of 1048576 bytes\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('does not take a slow reader for a quiet server', async () => {
    const response = await fastHttp().stream({ url: `${fake.url}/big` });
    if (!response.ok) throw new Error('expected a stream');
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      if (chunks.length === 1) await sleep(700);
    }
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
  });

  it('hands a non-2xx answer to a stream request back buffered', async () => {
    fake.inject({ kind: 'status', status: 404, body: '{"message":"Not Found"}' });
    const response = await fastHttp().stream({ url: `${fake.url}/big` });
    expect(response.ok).toBe(false);
    if (!response.ok) expect(response.text).toContain('Not Found');
  });

  it('refuses plain http to anything but this machine', async () => {
    await expect(fastHttp().send({ url: 'http://example.invalid/x' })).rejects.toThrow(/allowInsecureConnection/);
  });
});

describe('statusError', () => {
  const answer = (text: string) => ({ status: 500, headers: createHttpHeaders(), attempts: 1, text });

  it('blanks an echoed bearer token in the body excerpt', () => {
    const error = statusError('Fake', answer('{"headers":{"authorization":"Bearer tok-0123456789"}}'));
    expect(error.message).toBe('Fake answered HTTP 500: {"headers":{"authorization":"[redacted]"}}');
  });

  it('redacts before cutting, so that no piece of a secret is left at the cut', () => {
    const secret = 'piece-of-a-secret-value';
    rememberSecrets({ ECHO_TEST_SECRET: secret });
    const error = statusError('Fake', answer(`${'x'.repeat(290)}${secret}`));
    expect(error.message).not.toContain(secret.slice(0, 8));
  });
});
