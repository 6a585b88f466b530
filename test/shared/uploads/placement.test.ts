import { spawn } from 'node:child_process';
import path from 'node:path';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { recentRuns } from '../../../shared/runs/ledger';
import { handleUpload, type UploadKind, type UploadReportBase } from '../../../shared/uploads/placement';
import { testStorage } from '../../helpers/storage';
import { refusedReport, uploadContainers } from '../../helpers/uploads';

const { settings, storage } = testStorage();
const h = uploadContainers(storage, 'customerUploads');

/** An upload kind whose handler runs `handle`; every upload it handles is processed. */
function kind(handle: () => Promise<void>): UploadKind<UploadReportBase> {
  return {
    what: 'test upload',
    eventName: 'TestUploadHandled',
    eventProps: () => ({}),
    handle: async (placement) => {
      await handle();
      return { ...refusedReport(placement, ''), status: 'processed', reason: null };
    },
    refused: refusedReport,
  };
}

const attempt = (name: string, handle: () => Promise<void>) =>
  handleUpload(storage, settings, 'customerUploads', name, createLogger(memorySink()), kind(handle));

const neverCalled = async () => {
  throw new Error('the handler must not run again');
};

describe('uploads that keep failing', () => {
  it(`are quarantined with the last error after UPLOAD_MAX_ATTEMPTS (${settings.UPLOAD_MAX_ATTEMPTS}) failures`, async () => {
    await h.drop('flaky.csv', 'country\nRU\n');
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error(`table service unavailable (${calls})`);
    };
    for (let i = 1; i <= 3; i++) await expect(attempt('flaky.csv', failing)).rejects.toThrow(`unavailable (${i})`);
    const outcome = await attempt('flaky.csv', neverCalled);

    expect(calls).toBe(3);
    expect(outcome).toMatchObject({
      status: 'quarantined',
      reason:
        'refused unread: 3 attempts to handle this upload failed (UPLOAD_MAX_ATTEMPTS); ' +
        'the last one: table service unavailable (3)',
      move: 'moved',
    });
    expect(await h.list('quarantine')).toEqual(['flaky.csv', 'flaky.csv.report.json']);
    expect(await h.list('uploads')).toEqual([]);
    // Every attempt is in the run ledger, newest first.
    const attempts = (await recentRuns(storage, 10)).filter((run) => run.source.endsWith('/flaky.csv'));
    expect(attempts.map((run) => [run.kind, run.outcome, run.error])).toEqual([
      ['upload-attempt', 'failed', (outcome as { reason: string }).reason],
      ['upload-attempt', 'failed', 'table service unavailable (3)'],
      ['upload-attempt', 'failed', 'table service unavailable (2)'],
      ['upload-attempt', 'failed', 'table service unavailable (1)'],
    ]);
  });

  it('are in the run ledger when refused before being read, or handled', async () => {
    await h.drop('refused.csv', 'x');
    const refusing = kind(neverCalled);
    refusing.handle = (placement) => Promise.resolve(refusedReport(placement, 'not a zip archive'));
    await handleUpload(storage, settings, 'customerUploads', 'refused.csv', createLogger(memorySink()), refusing);
    await h.drop('fine.csv', 'x');
    await attempt('fine.csv', async () => undefined);
    const runs = await recentRuns(storage, 50);
    expect(runs.find((run) => run.source === `upload:${h.areas.uploads.containerName}/refused.csv`)).toMatchObject({
      kind: 'upload-attempt',
      outcome: 'failed',
      error: 'not a zip archive',
    });
    expect(runs.find((run) => run.source.endsWith('/fine.csv'))).toMatchObject({ outcome: 'succeeded', error: null });
  });

  it('counts failures per version: a successful attempt and a new upload start again', async () => {
    await h.drop('retry.csv', 'country\nRU\n');
    const failing = async () => Promise.reject(new Error('timeout'));
    await expect(attempt('retry.csv', failing)).rejects.toThrow('timeout');
    await expect(attempt('retry.csv', failing)).rejects.toThrow('timeout');
    await expect(attempt('retry.csv', async () => undefined)).resolves.toMatchObject({ status: 'processed' });

    await h.drop('retry.csv', 'country\nKZ\n');
    await expect(attempt('retry.csv', failing)).rejects.toThrow('timeout');
    await expect(attempt('retry.csv', async () => undefined)).resolves.toMatchObject({ status: 'processed' });
  });

  it('are quarantined after the process handling them died of them UPLOAD_MAX_ATTEMPTS times', async () => {
    await h.drop('heavy.csv', 'country\nRU\n');
    for (let i = 0; i < 3; i++) {
      const child = spawn(
        process.execPath,
        [
          '--max-old-space-size=48',
          '-r',
          path.join(__dirname, '..', '..', 'helpers', 'tsRegister.js'),
          path.join(__dirname, '..', '..', 'helpers', 'uploadProcess.ts'),
          settings.AzureWebJobsStorage as string,
          settings.STORAGE_NAME_PREFIX,
          'heavy.csv',
        ],
        { stdio: 'ignore' },
      );
      const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      expect(exit.code === 0).toBe(false);
    }
    const outcome = await attempt('heavy.csv', neverCalled);
    expect(outcome).toMatchObject({
      status: 'quarantined',
      reason: expect.stringMatching(/^refused unread: 3 attempts .* the process stopped \(out of memory/) as string,
    });
    expect(await h.list('quarantine')).toContain('heavy.csv');
  }, 120_000);
});
