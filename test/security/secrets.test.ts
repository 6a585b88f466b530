import { captured } from '../helpers/cli';
import { randomBytes } from 'node:crypto';
import { main } from '../../cli/main';
import { consoleIO } from '../../cli/io';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { refreshRates } from '../../shared/rates/ingest';
import { ledgerOutbox, recordRun } from '../../shared/runs/ledger';
import { ensureStorage } from '../../shared/storage/ensure';
import { startFakeServer, type FakeServer } from '../fakes/fakeServer';
import { testStorage } from '../helpers/storage';

/**
 * Issue 12, item 8: an upstream error body that echoes the request's Authorization header must not
 * put the bearer token into the logs, the CLI's output or the run ledger.
 */

async function ledgerText(storage: ReturnType<typeof testStorage>['storage']): Promise<string> {
  const entities: unknown[] = [];
  for await (const entity of storage.table(storage.names.tables.runs).listEntities()) entities.push(entity);
  return JSON.stringify(entities);
}

describe('secrets echoed by an upstream service', () => {
  const accessToken = `opaque-${randomBytes(12).toString('hex')}`;
  const credentials = {
    PARTNER_CENTER_TENANT_ID: 'tenant-echo',
    PARTNER_CENTER_APP_ID: 'app-echo',
    PARTNER_CENTER_APP_SECRET: `app-secret-${randomBytes(8).toString('hex')}`,
    PARTNER_CENTER_REFRESH_TOKEN: `refresh-${randomBytes(8).toString('hex')}`,
  };
  let fake: FakeServer;
  const { settings, storage } = testStorage();
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    // A misbehaving service (or proxy): the token endpoint works, the download fails and echoes the request.
    fake = await startFakeServer((request) => {
      if (request.url.pathname.endsWith('/oauth2/token'))
        return { status: 200, body: JSON.stringify({ access_token: accessToken, expires_in: '3599' }) };
      const echo = { error: 'internal', request: { url: request.path, headers: request.headers } };
      return { status: 500, body: `${JSON.stringify(echo)} Authorization: ${request.headers.authorization}` };
    });
    Object.assign(process.env, {
      ...credentials,
      AzureWebJobsStorage: settings.AzureWebJobsStorage,
      STORAGE_NAME_PREFIX: settings.STORAGE_NAME_PREFIX,
      PARTNER_CENTER_AUTHORITY: fake.url,
      PARTNER_CENTER_BASE_URL: fake.url,
      HTTP_MAX_RETRIES: '0',
    });
  });
  afterAll(async () => {
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    await fake.close();
  });

  it('keeps the bearer token out of log lines, the --json summary and the ledger', async () => {
    const { result, stdout, stderr } = await captured(() =>
      main([
        'refresh',
        'prices',
        '--source',
        'partnercenter',
        '--market',
        'US',
        '--view',
        'azure_consumption',
        '--json',
      ]),
    );
    expect(result).toBe(1);
    // The echo did come back, so its absence below is the redaction at work.
    expect(fake.requests.some((r) => r.headers.authorization === `Bearer ${accessToken}`)).toBe(true);
    const summary = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(summary.runs[0].error).toMatch(/HTTP 500.*\[redacted\]/);
    // The failure was logged too (the refresh logs to stderr), so the log lines were searched.
    expect(stderr).toMatch(/"level":"error".*HTTP 500/);
    const ledger = await ledgerText(storage);
    expect(ledger).toMatch(/HTTP 500/);
    for (const text of [stdout, stderr, ledger]) {
      expect(text).not.toContain(accessToken);
      for (const value of Object.values(credentials).slice(2)) expect(text).not.toContain(value);
    }
  });

  it('redacts the error kept in the ledger, whatever raised it', async () => {
    await ensureStorage(storage);
    await recordRun(
      storage,
      {
        runId: 'run-secret',
        kind: 'upload',
        source: 'blob',
        market: 'US',
        view: 'azure_consumption',
        timeline: 'current',
        asOf: '2026-11-01',
        startedAt: '2026-11-01T00:00:00Z',
        durationMs: 1,
        outcome: 'failed',
        error: 'storage said: AccountKey=Zm9vYmFyYmF6;',
        counts: { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 },
        archive: null,
        rejectedReport: null,
      },
      { outbox: ledgerOutbox(storage, settings) },
    );
    const ledger = await ledgerText(storage);
    expect(ledger).toContain('AccountKey=[redacted];');
    expect(ledger).not.toContain('Zm9vYmFyYmF6');
  });

  it("redacts the run's error for every reader: an upload's report, a timer's exception, the CLI", async () => {
    const run = await refreshRates({
      storage,
      settings,
      logger: createLogger(memorySink()),
      asOf: '2026-11-01',
      source: {
        name: 'echoing',
        history: false,
        dayFrom: 'request',
        fetchRates: () => Promise.reject(new Error('proxy refused: Authorization: Bearer tok-from-a-proxy')),
      },
    });
    expect(run.outcome).toBe('failed');
    expect(run.error).toBe('proxy refused: Authorization: [redacted]');
  });

  it('redacts what the CLI prints, as a line and as JSON', async () => {
    const { stdout, stderr } = await captured(async () => {
      const io = consoleIO(true);
      io.log('Error: refused Bearer tok-abcdef');
      io.summary('', { ok: false, error: 'refused {"authorization":"Bearer tok-abcdef"}' });
    });
    expect(stderr).toBe('Error: refused Bearer [redacted]\n');
    expect(JSON.parse(stdout)).toEqual({ ok: false, error: 'refused {"authorization":"[redacted]"}' });
  });
});
