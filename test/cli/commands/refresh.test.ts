import { refreshCommand } from '../../../cli/commands/refresh';
import type { CommandIO } from '../../../cli/io';
import { UsageError } from '../../../cli/options';
import { todayUtc } from '../../../shared/core/dates';
import { createPriceSheetSource, PRICE_BACKFILL_SOURCES } from '../../../shared/prices/sources/factory';
import { createFxRatesSource, RATES_BACKFILL_SOURCES } from '../../../shared/rates/sources/factory';
import { DateTime } from 'luxon';
import {
  FAKE_CREDENTIALS,
  historySheetPath,
  priceSheetPath,
  startPartnerCenterFake,
} from '../../fakes/partnerCenterFake';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';
import { startRetailFake } from '../../fakes/retailFake';
import { fastSettings } from '../../helpers/sources';
import { testStorage } from '../../helpers/storage';
import { ensureStorage } from '../../../shared/storage/ensure';
import { decodeMessage, queueClient } from '../../../shared/storage/queues';

const io: CommandIO = {
  json: true,
  log: () => {},
  progress: () => ({ update: () => {}, stop: () => {} }),
  summary: () => {},
};

describe('refresh: backfills only from sources with history', () => {
  const zone = process.env.TZ;
  // Far east of UTC, the local day is tomorrow's for most of the UTC day: "today" must be UTC's.
  beforeAll(() => (process.env.TZ = 'Pacific/Kiritimati'));
  afterAll(() => (process.env.TZ = zone));

  it('refuses `refresh prices --source retail --as-of <past day>` before fetching, and runs as of today', async () => {
    const fake = await startRetailFake([]);
    try {
      const { storage } = testStorage();
      const settings = fastSettings({ RETAIL_PRICES_URL: fake.pricesUrl });
      const env = { io, openStorage: async () => ({ settings, storage }) };
      const values = { source: 'retail', market: 'US', view: 'azure_consumption' };
      const error = await refreshCommand
        .run({ values: { ...values, 'as-of': '2026-11-02' }, positionals: ['prices'] }, env)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect(String(error)).toContain(
        `--as-of 2026-11-02: the retail source serves only today's prices (${todayUtc()}); ` +
          'sources that can backfill: partnercenter, sample or file:<path>',
      );
      expect(fake.requests).toHaveLength(0);

      // Today (UTC) is no backfill: the list is fetched (empty here, so the run fails, but it runs).
      const code = await refreshCommand.run(
        { values: { ...values, 'as-of': todayUtc() }, positionals: ['prices'] },
        env,
      );
      expect(code).toBe(1);
      expect(fake.requests).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it("fetches a past month's Partner Center list for its 1st, and refuses any other past --as-of", async () => {
    const fake = await startPartnerCenterFake();
    try {
      const past = DateTime.utc().minus({ months: 2 });
      const [month, yyyymm] = [past.toFormat('yyyy-MM'), past.toFormat('yyyyMM')];
      const row = (n: number) => consumptionRow({ MeterIds: meterId(0x7000 + n), UnitPrice: `${n}.5` });
      fake.setFile(historySheetPath('US', 'azure_consumption', yyyymm), sheetCsv([row(1), row(2)]));
      fake.setFile(priceSheetPath('US', 'azure_consumption'), sheetCsv([row(1), row(2), row(3)]));
      const { storage } = testStorage();
      const summaries: unknown[] = [];
      const env = {
        io: { ...io, summary: (_line: string, data: unknown) => summaries.push(data) },
        openStorage: async () => ({ settings: fastSettings(fake.settings), storage }),
      };
      const refresh = (asOf: string, more: Record<string, string> = {}) =>
        refreshCommand.run(
          {
            values: { source: 'partnercenter', market: 'US', view: 'azure_consumption', 'as-of': asOf, ...more },
            positionals: ['prices'],
          },
          env,
        );
      const sheetRequests = () => fake.requests.filter((request) => request.path.includes('pricesheets'));

      expect(await refresh(`${month}-01`)).toBe(0);
      expect(sheetRequests().map((request) => request.path)).toEqual([
        expect.stringContaining(`$value?timeline=history&month=${yyyymm}`),
      ]);
      expect(summaries[0]).toMatchObject({ ok: true, read: 2, runs: [{ asOf: `${month}-01`, timeline: 'current' }] });

      const backfill = `npm run cli -- backfill prices --from ${month} --to ${month}`;
      const today = todayUtc();
      // Kiritimati's local day is UTC's tomorrow for most of the UTC day: neither is a list Partner Center has.
      const tomorrow = DateTime.fromISO(today, { zone: 'utc' }).plus({ days: 1 }).toISODate() as string;
      const refusals: [string, Record<string, string>, string][] = [
        [
          `${month}-15`,
          {},
          `--as-of ${month}-15: a past month's price list from Partner Center is the list as of its 1st; ` +
            `use --as-of ${month}-01 or ${backfill}`,
        ],
        [
          `${month}-01`,
          { timeline: 'future' },
          `--as-of ${month}-01: Partner Center's history holds current price lists only, not --timeline future`,
        ],
        [tomorrow, {}, `--as-of ${tomorrow}: Partner Center's current price list is today's (${today}, UTC)`],
      ];
      // Earlier in this month than today: the current list is today's, not that day's.
      if (!today.endsWith('-01'))
        refusals.push([
          `${today.slice(0, 7)}-01`,
          {},
          `--as-of ${today.slice(0, 7)}-01: Partner Center's current price list is today's (${today}, UTC)`,
        ]);
      for (const [asOf, more, message] of refusals) {
        const error = await refresh(asOf, more).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UsageError);
        expect((error as Error).message).toBe(message);
      }
      expect(sheetRequests()).toHaveLength(1);

      // Today (UTC) fetches the current list.
      expect(await refresh(today)).toBe(0);
      expect(sheetRequests()[1].path).toContain('$value?timeline=current');
      expect(summaries[1]).toMatchObject({ ok: true, read: 3, runs: [{ asOf: today }] });
    } finally {
      await fake.close();
    }
  });

  it('names exactly the sources whose history flag is set', () => {
    const settings = fastSettings({
      PARTNER_CENTER_TENANT_ID: FAKE_CREDENTIALS.tenantId,
      PARTNER_CENTER_APP_ID: FAKE_CREDENTIALS.appId,
      PARTNER_CENTER_APP_SECRET: FAKE_CREDENTIALS.appSecret,
      PARTNER_CENTER_REFRESH_TOKEN: FAKE_CREDENTIALS.refreshToken,
    });
    const able = (names: string[], create: (name: string) => { history: boolean }) =>
      names.filter((name) => create(name).history).map((name) => (name === 'file:x' ? 'file:<path>' : name));
    const prices = able(['partnercenter', 'retail', 'sample', 'file:x'], (n) => createPriceSheetSource(settings, n));
    const rates = able(['partnercenter', 'ecb', 'sample', 'file:x'], (n) => createFxRatesSource(settings, n));
    const listed = (text: string) => text.split(/, | or /);
    expect(prices).toEqual(listed(PRICE_BACKFILL_SOURCES));
    expect(rates).toEqual(listed(RATES_BACKFILL_SOURCES));
  });
});

describe('refresh --enqueue: planned on the refresh queues for the app, as the timers plan', () => {
  it('puts one message per market × view on price-refresh and names the plan and the count', async () => {
    const { storage } = testStorage();
    const settings = fastSettings({ PRICES_SOURCE: 'sample' });
    const summaries: unknown[] = [];
    const env = {
      io: { ...io, summary: (_line: string, data: unknown) => summaries.push(data) },
      openStorage: async () => ({ settings, storage }),
    };
    await ensureStorage(storage);
    const values = {
      market: 'US,DE',
      view: 'azure_consumption,azure_reservations',
      'as-of': '2026-11-01',
      enqueue: true,
    };
    expect(await refreshCommand.run({ values, positionals: ['prices'] }, env)).toBe(0);
    const queue = queueClient(storage, 'priceRefresh');
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    const messages = receivedMessageItems.map((m) => decodeMessage(m.messageText) as Record<string, string>);
    const planId = (summaries[0] as { planId: string }).planId;
    expect(summaries).toEqual([{ ok: true, planId, enqueued: 4, queue: storage.names.queues.priceRefresh }]);
    expect(messages.map((m) => `${m.market}/${m.view}`).sort()).toEqual([
      'DE/azure_consumption',
      'DE/azure_reservations',
      'US/azure_consumption',
      'US/azure_reservations',
    ]);
    for (const message of messages)
      expect(message).toMatchObject({ planId, timeline: 'current', asOf: '2026-11-01', source: 'sample' });

    expect(await refreshCommand.run({ values: { enqueue: true }, positionals: ['rates'] }, env)).toBe(0);
    const rates = await queueClient(storage, 'rateRefresh').receiveMessages();
    expect(decodeMessage(rates.receivedMessageItems[0].messageText)).toEqual({
      planId: (summaries[1] as { planId: string }).planId,
      asOf: todayUtc(),
      source: 'sample',
    });
  });
});
