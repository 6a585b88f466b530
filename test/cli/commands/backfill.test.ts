import { DateTime } from 'luxon';
import { jsonSummary, runCli, type CliRun } from '../../helpers/cli';
import { startOfDay } from '../../../shared/core/dates';
import { lookupPrices } from '../../../shared/prices/lookup';
import { snapshotOnOrBefore } from '../../../shared/prices/tables/snapshots';
import { ratesOf } from '../../../shared/rates/lookup';
import { rateSnapshotOnOrBefore } from '../../../shared/rates/snapshots';
import { lastRefreshes, recentRuns } from '../../../shared/runs/ledger';
import type { StorageClients } from '../../../shared/storage/clients';
import {
  fxRatesPath,
  historySheetPath,
  startPartnerCenterFake,
  type PartnerCenterFake,
} from '../../fakes/partnerCenterFake';
import { fxCsv } from '../../helpers/apiFixtures';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';
import { testStorage } from '../../helpers/storage';

async function cli(args: string[]): Promise<CliRun & { summary: unknown }> {
  const run = await runCli(args);
  return { ...run, summary: args.includes('--json') ? jsonSummary(run.stdout) : null };
}

/** Three months of the US consumption list: one price steady, one raised in February, one new in March. */
const STEADY = meterId(9001);
const RAISED = meterId(9002);
const NEW = meterId(9003);
const steady = consumptionRow({ MeterIds: STEADY, ProductId: 'STEADY', UnitPrice: '1.5' });
const raised = (price: string, from: string) =>
  consumptionRow({ MeterIds: RAISED, ProductId: 'RAISED', UnitPrice: price, EffectiveStartDate: from });
const SHEETS: Record<string, string> = {
  '202401': sheetCsv([steady, raised('0.10', '1/1/2024 12:00:00 AM')]),
  '202402': sheetCsv([steady, raised('0.12', '2/1/2024 12:00:00 AM')]),
  '202403': sheetCsv([
    steady,
    raised('0.12', '2/1/2024 12:00:00 AM'),
    consumptionRow({ MeterIds: NEW, ProductId: 'NEW', UnitPrice: '7', EffectiveStartDate: '3/1/2024 12:00:00 AM' }),
  ]),
};
const PRICES = ['--market', 'US', '--view', 'azure_consumption'];

/** The prices in force at an instant, through the lookup the API serves, as productId → price. */
async function pricesAt(storage: StorageClients, instant: string, market = 'US'): Promise<Record<string, string>> {
  const page = await lookupPrices(storage, { market, view: 'azure_consumption', instant, top: 100 });
  return Object.fromEntries(page.versions.map((v) => [v.productId, v.unitPrice]));
}

const sheetRequests = (fake: PartnerCenterFake) => fake.requests.filter((r) => r.path.includes('pricesheets'));
type Summary = { ok: boolean; months: { month: string; market?: string; outcome: string; error: string | null }[] };
const outcomes = (summary: unknown) => Object.fromEntries((summary as Summary).months.map((m) => [m.month, m.outcome]));

describe('backfill', () => {
  let fake: PartnerCenterFake;
  let storage: StorageClients;
  const env = { ...process.env };

  beforeEach(async () => {
    fake = await startPartnerCenterFake();
    for (const [month, csv] of Object.entries(SHEETS))
      fake.setFile(historySheetPath('US', 'azure_consumption', month), csv);
    const test = testStorage();
    storage = test.storage;
    Object.assign(process.env, fake.settings, {
      AzureWebJobsStorage: test.settings.AzureWebJobsStorage,
      STORAGE_NAME_PREFIX: test.settings.STORAGE_NAME_PREFIX,
      HTTP_MAX_RETRIES: '1',
      HTTP_RETRY_DELAY_MS: '10',
      HTTP_MAX_RETRY_DELAY_MS: '20',
    });
  });
  afterEach(async () => {
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
    await fake.close();
  });

  it('stores each month as of its first day, in any order, and a re-run skips every month', async () => {
    // February first: a resumed or partial backfill leaves months behind and in front of a stored one.
    const february = await cli(['backfill', 'prices', ...PRICES, '--from', '2024-02', '--to', '2024-02']);
    expect(february.code).toBe(0);
    expect(february.stdout).toMatch(/^backfill prices 2024-02..2024-02: 1 succeeded, 0 skipped, 0 failed/);

    const all = await cli(['backfill', 'prices', ...PRICES, '--from', '2024-01', '--to', '2024-03', '--json']);
    expect(all.code).toBe(0);
    expect(outcomes(all.summary)).toEqual({ '2024-01': 'succeeded', '2024-02': 'skipped', '2024-03': 'succeeded' });
    expect(all.summary).toMatchObject({ ok: true, succeeded: 2, skipped: 1, failed: 0 });
    expect((all.summary as Summary).months[2]).toMatchObject({
      market: 'US',
      view: 'azure_consumption',
      asOf: '2024-03-01',
      added: 1,
      changed: 0,
    });
    // One progress line per month on stderr; stdout holds only the summary.
    expect(all.stderr).toContain('[1/3] 2024-01 US/azure_consumption: added 2, changed 0, removed 0');
    expect(all.stderr).toContain('[2/3] 2024-02 US/azure_consumption: skipped (already stored as of 2024-02-01)');
    expect(all.stdout.trim().split('\n')).toHaveLength(1);
    expect(sheetRequests(fake).map((r) => decodeURIComponent(r.path))).toEqual(
      ['202402', '202401', '202403'].map((month) => historySheetPath('US', 'azure_consumption', month)),
    );

    for (const day of ['2024-01-01', '2024-02-01', '2024-03-01']) {
      const query = { market: 'US', view: 'azure_consumption' as const, timeline: 'current' as const, asOf: day };
      expect((await snapshotOnOrBefore(storage, query))?.asOf).toBe(day);
    }
    expect(await pricesAt(storage, '2024-01-15T12:00:00.0000000Z')).toEqual({ STEADY: '1.5', RAISED: '0.10' });
    expect(await pricesAt(storage, startOfDay('2024-02-01'))).toEqual({ STEADY: '1.5', RAISED: '0.12' });
    expect(await pricesAt(storage, '2024-03-20T00:00:00.0000000Z')).toEqual({
      STEADY: '1.5',
      RAISED: '0.12',
      NEW: '7',
    });

    // Past months are no refresh: the ledger has them, the health endpoint's freshness does not.
    const runs = await recentRuns(storage, 10);
    expect(runs.map((run) => [run.kind, run.asOf])).toEqual([
      ['ingest', '2024-03-01'],
      ['ingest', '2024-01-01'],
      ['ingest', '2024-02-01'],
    ]);
    expect(await lastRefreshes(storage)).toEqual([]);

    const again = await cli(['backfill', 'prices', ...PRICES, '--from', '2024-01', '--to', '2024-03', '--json']);
    expect(again.code).toBe(0);
    expect(outcomes(again.summary)).toEqual({ '2024-01': 'skipped', '2024-02': 'skipped', '2024-03': 'skipped' });
    expect(sheetRequests(fake)).toHaveLength(3);
    expect(await recentRuns(storage, 10)).toHaveLength(3);
  });

  it('fails the month and market the service fails, stores the others, and a re-run completes it', async () => {
    // DE: a price that changes every month (a new version from each first day).
    for (const [month, price, from] of [
      ['202401', '0.9', '1/1/2024 12:00:00 AM'],
      ['202402', '0.95', '2/1/2024 12:00:00 AM'],
      ['202403', '0.97', '3/1/2024 12:00:00 AM'],
    ]) {
      const row = consumptionRow({ Market: 'DE', Currency: 'EUR', ProductId: 'DE', MeterIds: meterId(9100) });
      const sheet = sheetCsv([{ ...row, UnitPrice: price, EffectiveStartDate: from }]);
      fake.setFile(historySheetPath('DE', 'azure_consumption', month), sheet);
    }
    // Both attempts (HTTP_MAX_RETRIES is 1) of the US February sheet fail.
    fake.inject(
      { kind: 'status', status: 500 },
      { path: historySheetPath('US', 'azure_consumption', '202402'), times: 2 },
    );
    const args = ['backfill', 'prices', '--market', 'US,DE', '--view', 'azure_consumption'];
    const range = ['--from', '2024-01', '--to', '2024-03', '--json'];
    const byMarket = (summary: unknown) =>
      Object.fromEntries((summary as Summary).months.map((m) => [`${m.month} ${m.market}`, m.outcome]));

    const first = await cli([...args, ...range]);
    expect(first.code).toBe(1);
    expect(byMarket(first.summary)).toEqual({
      '2024-01 US': 'succeeded',
      '2024-01 DE': 'succeeded',
      '2024-02 US': 'failed',
      '2024-02 DE': 'succeeded',
      '2024-03 US': 'succeeded',
      '2024-03 DE': 'succeeded',
    });
    expect(first.summary).toMatchObject({ ok: false, succeeded: 5, failed: 1, skipped: 0 });
    expect((first.summary as Summary).months[2].error).toMatch(/US\/azure_consumption: .*HTTP 500/);
    expect(first.stderr).toMatch(/\[3\/6\] 2024-02 US\/azure_consumption: FAILED — .*HTTP 500/);
    expect(await pricesAt(storage, '2024-03-20T00:00:00.0000000Z')).toMatchObject({ RAISED: '0.12', NEW: '7' });
    expect(await pricesAt(storage, '2024-02-10T00:00:00.0000000Z', 'DE')).toEqual({ DE: '0.95' });

    const resumed = await cli([...args, ...range]);
    expect(resumed.code).toBe(0);
    expect(resumed.summary).toMatchObject({ ok: true, succeeded: 1, failed: 0, skipped: 5 });
    expect(byMarket(resumed.summary)['2024-02 US']).toBe('succeeded');
    expect(await pricesAt(storage, '2024-02-10T00:00:00.0000000Z')).toEqual({ STEADY: '1.5', RAISED: '0.12' });
    for (const [day, price] of [
      ['2024-01-10', '0.9'],
      ['2024-02-10', '0.95'],
      ['2024-03-10', '0.97'],
    ])
      expect(await pricesAt(storage, startOfDay(day), 'DE')).toEqual({ DE: price });
  });

  describe('in a time zone far east of UTC', () => {
    // The local day and month run ahead of UTC's there: the months must be UTC's.
    beforeEach(() => (process.env.TZ = 'Pacific/Kiritimati'));

    it("stores each month's FX file as of its first day and skips it afterwards", async () => {
      const aed = { '202401': '0.2722', '202402': '0.2723', '202403': '0.2724' };
      for (const [month, rate] of Object.entries(aed)) fake.setFile(fxRatesPath(month), fxCsv({ AED: rate }, month));
      const first = await cli(['backfill', 'rates', '--from', '2024-01', '--to', '2024-03', '--json']);
      expect(first.code).toBe(0);
      expect(outcomes(first.summary)).toEqual({
        '2024-01': 'succeeded',
        '2024-02': 'succeeded',
        '2024-03': 'succeeded',
      });
      expect(first.stderr).toContain('[2/3] 2024-02 rates: added 0, changed 1, removed 0');
      for (const [day, rate] of [
        ['2024-01-31', '0.2722'],
        ['2024-02-01', '0.2723'],
        ['2024-03-15', '0.2724'],
      ]) {
        const snapshot = await rateSnapshotOnOrBefore(storage, day);
        const [aed] = await ratesOf(storage, snapshot!, day, 'AED');
        expect([snapshot?.asOf, aed.usdPerUnit]).toEqual([`${day.slice(0, 7)}-01`, rate]);
      }

      const again = await cli(['backfill', 'rates', '--from', '2024-01', '--to', '2024-03', '--json']);
      expect(again.code).toBe(0);
      expect(outcomes(again.summary)).toEqual({ '2024-01': 'skipped', '2024-02': 'skipped', '2024-03': 'skipped' });
      expect(fake.requests.filter((r) => r.path.includes('fxrates'))).toHaveLength(3);
    });

    it('refuses bad options with exit code 2, naming the option, before fetching anything', async () => {
      const nextMonth = DateTime.utc().plus({ months: 1 }).toFormat('yyyy-MM');
      const refusals: [string[], RegExp][] = [
        [['backfill', 'prices', '--to', '2024-03'], /--from is required: a month YYYY-MM/],
        [['backfill', 'prices', '--from', '2024-1', '--to', '2024-03'], /--from must be a month YYYY-MM, got "2024-1"/],
        [['backfill', 'rates', '--from', '2024-01', '--to', '2024-13'], /--to must be a month YYYY-MM, got "2024-13"/],
        [['backfill', 'rates', '--from', '2024-03', '--to', '2024-01'], /--from 2024-03 is after --to 2024-01/],
        [
          ['backfill', 'rates', '--from', '2024-01', '--to', nextMonth],
          new RegExp(`--to ${nextMonth} is in the future`),
        ],
        [['backfill', 'rates', '--market', 'US', '--from', '2024-01', '--to', '2024-01'], /--market does not apply/],
        [['backfill', 'prices', '--source', 'retail', '--from', '2024-01', '--to', '2024-01'], /--source retail: only/],
        [
          ['backfill', 'prices', '--market', 'USA', '--from', '2024-01', '--to', '2024-01'],
          /--market takes two-letter/,
        ],
        [['backfill', '--from', '2024-01', '--to', '2024-01'], /backfill what\?/],
      ];
      for (const [args, message] of refusals) {
        const result = await cli(args);
        expect([result.code, result.stderr]).toEqual([2, expect.stringMatching(message)]);
      }
      expect(fake.requests).toHaveLength(0);
    });
  });
});
