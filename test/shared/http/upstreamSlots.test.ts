import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeServer, type FakeServer } from '../../fakes/fakeServer';
import { fastHttp, fastSettings, readBody } from '../../helpers/sources';

/**
 * UPSTREAM_MAX_CONCURRENCY: calls to one upstream origin, from every caller in the process together, never
 * run more than the limit at once — a streamed body keeps its slot until it is read, and a throttled call
 * keeps it through its Retry-After wait.
 */
describe('upstream concurrency limit', () => {
  let fake: FakeServer;
  let inFlight = 0;
  let most = 0;

  beforeEach(async () => {
    inFlight = 0;
    most = 0;
    fake = await startFakeServer(async () => {
      most = Math.max(most, ++inFlight);
      await sleep(50);
      inFlight--;
      return { status: 200, body: 'ok' };
    });
  });
  afterEach(() => fake.close());

  it('runs at most UPSTREAM_MAX_CONCURRENCY calls to one origin at once, across clients, and all complete', async () => {
    const settings = fastSettings({ UPSTREAM_MAX_CONCURRENCY: '2' });
    // Two clients, as two invocations of the process would create: the limit is the process's.
    const clients = [fastHttp(settings), fastHttp(settings)];
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => clients[i % 2].send({ url: `${fake.url}/x${i}` })),
    );
    expect(answers.map((a) => a.text)).toEqual(Array(8).fill('ok'));
    expect(most).toBe(2);
    expect(fake.requests).toHaveLength(8);
  });

  it('keeps the slot of a streamed body until the body has been read', async () => {
    const http = fastHttp(fastSettings({ UPSTREAM_MAX_CONCURRENCY: '1' }));
    const first = await http.stream({ url: `${fake.url}/first` });
    let secondDone = false;
    const second = http.send({ url: `${fake.url}/second` }).then((r) => ((secondDone = true), r));
    await sleep(150);
    expect(secondDone).toBe(false);
    expect(fake.requests).toHaveLength(1);
    if (!first.ok) throw new Error('expected a streamed body');
    expect((await readBody(first.body)).toString()).toBe('ok');
    expect((await second).text).toBe('ok');
  });

  it('keeps the slot through a 429 and its Retry-After wait', async () => {
    const http = fastHttp(fastSettings({ UPSTREAM_MAX_CONCURRENCY: '1', HTTP_MAX_RETRY_DELAY_MS: '5000' }));
    fake.inject({ kind: 'status', status: 429, retryAfter: '1' }, { path: '/throttled' });
    const started = Date.now();
    const [throttled, other] = await Promise.all([
      http.send({ url: `${fake.url}/throttled` }),
      sleep(20).then(() => http.send({ url: `${fake.url}/other` })),
    ]);
    expect([throttled.status, throttled.attempts, other.status]).toEqual([200, 2, 200]);
    // The other call waited for the throttled one: it reached the server after the retry.
    const paths = fake.requests.map((r) => r.url.pathname);
    expect(paths).toEqual(['/throttled', '/throttled', '/other']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
