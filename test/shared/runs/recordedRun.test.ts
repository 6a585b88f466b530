import { parse } from 'csv-parse/sync';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { recordedRun, type RunPlan } from '../../../shared/runs/recordedRun';
import { testStorage } from '../../helpers/storage';

const { settings, storage } = testStorage();

function plan(work: RunPlan['work']): RunPlan {
  return {
    storage,
    settings,
    logger: createLogger(memorySink()),
    identity: { kind: 'test', source: 'test', market: 'US', view: 'v', timeline: 'current', asOf: '2026-01-01' },
    lockName: 'test-run',
    eventName: 'TestRun',
    rejectedReportName: (run) => `test/${run.runId}.csv`,
    work,
  };
}

const reportText = async (name: string) =>
  (
    await storage.blobs.getContainerClient(storage.names.containers.reports).getBlobClient(name).downloadToBuffer()
  ).toString('utf8');

describe('recordedRun', () => {
  it('stops a run as soon as its rejected rows are certain to exceed the limit (1 % of 20 million rows)', async () => {
    let offered = 0;
    const run = await recordedRun(
      plan(async ({ run: { counts }, reject }) => {
        // Two million identical rows: every one after the first a rejected duplicate.
        for (offered = 1; offered <= 2_000_000; offered++) {
          counts.read++;
          if (offered > 1) reject(offered + 1, 'duplicate: the same price and EffectiveStartDate as an earlier row');
        }
        await Promise.resolve();
      }),
    );
    expect(run).toMatchObject({ outcome: 'failed', fileFault: true, counts: { read: 200_002, rejected: 200_001 } });
    expect(offered).toBe(200_002);
    expect(run.error).toBe(
      '200001 of the first 200002 rows rejected: more than 1 % of the most a file may hold (20000000 rows), ' +
        'so the file was not read further; nothing was published',
    );
  });

  it('keeps the rejected-rows report bounded: 10,000 rows, each reason cut short, formulas neutralised', async () => {
    const run = await recordedRun(
      plan(async ({ reject }) => {
        for (let line = 2; line < 20_002; line++) reject(line, line === 2 ? '=cmd' : 'x'.repeat(100_000));
        await Promise.resolve();
      }),
    );
    const text = await reportText(run.rejectedReport as string);
    expect(text.length).toBeLessThan(10_000 * 320);
    const rows = parse<{ line: string; reason: string }>(text, { columns: true, comment: '#' });
    expect(rows).toHaveLength(10_000);
    expect(rows[0]).toEqual({ line: '2', reason: "'=cmd" });
    expect(rows[1].reason).toBe(`${'x'.repeat(300)}…`);
    expect(text).toMatch(/# 10000 more rejected rows not listed\n$/);
  });
});
