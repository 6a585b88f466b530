import path from 'node:path';
import { jsonSummary, runCli } from '../../helpers/cli';
import { createStorageClients } from '../../../shared/storage/clients';
import { encodeMessage, queueClient } from '../../../shared/storage/queues';
import { testSettings } from '../../helpers/storage';

/** `csp-pricing status`: freshness per market/view as GET /api/health computes it, and its exit codes. */

const REPO = path.join(__dirname, '../../..');

type Freshness = {
  market: string;
  view: string;
  stale: boolean;
  lastFailure: unknown;
  lastSuccessfulRun: { kind: string } | null;
};
type Queued = { queue: string; name: string; waiting: number; poisoned: number };
type Status = { ok: boolean; status: string; problems: string[]; freshness: Freshness[]; queues: Queued[] };

async function status(): Promise<{ code: number; summary: Status }> {
  const result = await runCli(['status', '--json']);
  return { code: result.code, summary: jsonSummary(result.stdout) as Status };
}

const refresh = (market: string, ...more: string[]) =>
  runCli(['refresh', 'prices', '--market', market, '--view', 'azure_consumption', ...more]);

describe('status', () => {
  const env = { ...process.env };
  beforeAll(() => {
    const settings = testSettings();
    Object.assign(process.env, {
      AzureWebJobsStorage: settings.AzureWebJobsStorage,
      STORAGE_NAME_PREFIX: settings.STORAGE_NAME_PREFIX,
      PRICES_SOURCE: 'sample',
      PRICES_MARKETS: 'US,DE',
      PRICES_VIEWS: 'azure_consumption',
    });
  });
  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
  });

  it('exits 1 while a configured market/view was never refreshed, 0 once all are fresh, 1 again when one fails', async () => {
    const empty = await status();
    expect(empty.code).toBe(1);
    expect(empty.summary).toMatchObject({ ok: false, status: 'attention' });
    expect(empty.summary.problems).toEqual([
      'DE/azure_consumption: never refreshed',
      'US/azure_consumption: never refreshed',
    ]);

    // An ingest is not a refresh: still stale, but it is the last run of its market/view.
    const sample = path.join(REPO, 'sample-data/US_azure_consumption.csv');
    expect((await runCli(['ingest', sample, '--as-of', '2026-11-01'])).code).toBe(0);
    const ingested = await status();
    expect(ingested.code).toBe(1);
    expect(ingested.summary.freshness.find((entry) => entry.market === 'US')).toMatchObject({
      stale: true,
      lastSuccessfulRun: { kind: 'ingest', asOf: '2026-11-01' },
    });

    // Only US configured, and refreshed: all is well.
    process.env.PRICES_MARKETS = 'US';
    expect((await refresh('US')).code).toBe(0);
    const fresh = await runCli(['status']);
    expect(fresh.code).toBe(0);
    const lines = fresh.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Storage: reachable \(connection-string\); checked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(lines).toContain('Freshness (daily refreshes; stale after 36 h)');
    expect(fresh.stdout).toMatch(
      /^US\/azure_consumption +ok +\d{4}-\d\d-\d\d \d\d:\d\d +\d{4}-\d\d-\d\d +0\.0 +refresh as of \d{4}-\d\d-\d\d, /m,
    );
    expect(lines[lines.length - 1]).toBe('status: ok');

    // A refresh that fails after a success: fresh still, but failing.
    expect((await refresh('US', '--source', `file:${path.join(REPO, 'sample-data/no-such-file.csv')}`)).code).toBe(1);
    const failing = await status();
    expect(failing.code).toBe(1);
    expect(failing.summary.freshness).toMatchObject([
      { market: 'US', stale: false, lastFailure: { runId: expect.any(String) } },
    ]);
    expect(failing.summary.problems).toEqual([
      expect.stringMatching(/^US\/azure_consumption: the refresh of \d{4}-\d\d-\d\d \d\d:\d\d failed — .*no-such-file/),
    ]);
    const text = await runCli(['status']);
    expect(text.stdout).toMatch(/^US\/azure_consumption +FAILING +\d{4}-/m);
    expect(text.stdout).toMatch(
      /\n! US\/azure_consumption: the refresh of .* failed — .*\nstatus: 1 problem\(s\) need attention\n$/,
    );
  });

  it('counts the queued work, and a message on a poison queue needs attention', async () => {
    expect((await refresh('US', '--enqueue')).code).toBe(0);
    const queued = await status();
    expect(queued.summary.queues.find((q) => q.queue === 'priceRefresh')).toMatchObject({ waiting: 1, poisoned: 0 });
    expect(queued.summary.queues.find((q) => q.queue === 'rateRefresh')).toMatchObject({ waiting: 0, poisoned: 0 });
    expect(queued.summary.problems.filter((p) => p.includes('poison'))).toEqual([]);

    const storage = createStorageClients(testSettings({ STORAGE_NAME_PREFIX: process.env.STORAGE_NAME_PREFIX ?? '' }));
    await queueClient(storage, 'rateRefresh', true).sendMessage(encodeMessage({ source: 'sample' }));
    const poisoned = await status();
    expect(poisoned.code).toBe(1);
    expect(poisoned.summary.problems).toContainEqual(
      `${storage.names.queues.rateRefresh}-poison: 1 message(s) failed every delivery`,
    );
    expect((await runCli(['status'])).stdout).toMatch(/^Queued work \(approximate message counts\)$/m);
  });

  it('exits 3, quickly, when storage cannot be reached', async () => {
    const saved = process.env.AzureWebJobsStorage as string;
    process.env.AzureWebJobsStorage = saved.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:1');
    process.env.STORAGE_TIMEOUT_SECONDS = '2';
    try {
      const started = Date.now();
      const result = await runCli(['status', '--json']);
      expect(result.code).toBe(3);
      expect(jsonSummary(result.stdout)).toMatchObject({
        ok: false,
        status: 'unavailable',
        storage: { reachable: false },
      });
      expect(result.stderr).toMatch(/^Storage cannot be reached: /m);
      expect(result.stdout + result.stderr).not.toContain('AccountKey');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      process.env.AzureWebJobsStorage = saved;
      delete process.env.STORAGE_TIMEOUT_SECONDS;
    }
  });
});
