import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { createStorageClients, type StorageClients } from '../../../shared/storage/clients';
import { ensureStorage } from '../../../shared/storage/ensure';
import { findRuns, ledgerOutbox, recentRuns, recordRun, type RunRecord } from '../../../shared/runs/ledger';
import { testSettings } from '../../helpers/storage';

const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-outbox-'));
afterAll(() => fs.rmSync(outboxDir, { recursive: true, force: true }));
const settings = testSettings({ LEDGER_OUTBOX_DIR: outboxDir });
const storage = createStorageClients(settings);
// The same account and names, on a port where nothing listens: storage is down (and retried only once).
const closedPort = (settings.AzureWebJobsStorage as string).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:1');
const down: StorageClients = {
  ...storage,
  table: (name) =>
    TableClient.fromConnectionString(closedPort, name, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 1, retryDelayInMs: 10 },
    }),
};

const run = (runId: string, startedAt: string): RunRecord => ({
  runId,
  kind: 'upload-attempt',
  source: 'upload:price-uploads/x.csv',
  market: '',
  view: '',
  timeline: '',
  asOf: '',
  startedAt,
  durationMs: 5,
  outcome: 'failed',
  error: 'connect ECONNREFUSED',
  counts: { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 },
  archive: null,
  rejectedReport: null,
});

describe('run ledger outbox', () => {
  it('keeps a record storage refused and sends it with the next record storage takes', async () => {
    const outbox = ledgerOutbox(storage, settings);
    expect(path.dirname(outbox)).toBe(outboxDir);
    await expect(
      recordRun(down, run('while-down', '2026-11-28T10:00:00.000Z'), { outbox, lastSuccess: false }),
    ).rejects.toThrow();
    expect(fs.readFileSync(outbox, 'utf8')).toContain('"runId":"while-down"');

    await ensureStorage(storage);
    await recordRun(storage, run('restored', '2026-11-28T11:00:00.000Z'), { outbox, lastSuccess: false });
    expect((await recentRuns(storage, 10)).map((r) => r.runId)).toEqual(['restored', 'while-down']);
    expect(fs.existsSync(outbox)).toBe(false);
    expect(fs.readdirSync(outboxDir)).toEqual([]);
  }, 60_000);
});

describe('findRuns', () => {
  it('takes a run into a day range by the UTC day it started on, to the millisecond', async () => {
    const own = createStorageClients(testSettings());
    await ensureStorage(own);
    const outbox = ledgerOutbox(own, settings);
    const starts = {
      'last-ms-of-oct-31': '2026-10-31T23:59:59.999Z',
      'first-ms-of-nov-1': '2026-11-01T00:00:00.000Z',
      'last-ms-of-nov-2': '2026-11-02T23:59:59.999Z',
      'first-ms-of-nov-3': '2026-11-03T00:00:00.000Z',
    };
    for (const [runId, startedAt] of Object.entries(starts))
      await recordRun(
        own,
        { ...run(runId, startedAt), outcome: runId.includes('nov-2') ? 'succeeded' : 'failed' },
        { outbox, lastSuccess: false },
      );
    const ids = async (filter: Omit<Parameters<typeof findRuns>[1], 'limit'>, limit = 10) =>
      (await findRuns(own, { ...filter, limit })).map((r) => r.runId);

    expect(await ids({ from: '2026-11-01', to: '2026-11-02' })).toEqual(['last-ms-of-nov-2', 'first-ms-of-nov-1']);
    expect(await ids({ from: '2026-11-03' })).toEqual(['first-ms-of-nov-3']);
    expect(await ids({ to: '2026-10-31' })).toEqual(['last-ms-of-oct-31']);
    expect(await ids({ from: '2026-11-04' })).toEqual([]);
    expect(await ids({ outcome: 'failed', from: '2026-11-01' })).toEqual(['first-ms-of-nov-3', 'first-ms-of-nov-1']);
    // Newest first, cut at the limit.
    expect(await ids({}, 3)).toEqual(['first-ms-of-nov-3', 'last-ms-of-nov-2', 'first-ms-of-nov-1']);
  });

  it('finds nothing (and does not fail) before any run was recorded', async () => {
    expect(await findRuns(createStorageClients(testSettings()), { limit: 5 })).toEqual([]);
  });
});
