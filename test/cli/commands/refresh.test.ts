import { refreshCommand } from '../../../cli/commands/refresh';
import type { CommandIO } from '../../../cli/io';
import { UsageError } from '../../../cli/options';
import { todayUtc } from '../../../shared/core/dates';
import { createPriceSheetSource, PRICE_BACKFILL_SOURCES } from '../../../shared/prices/sources/factory';
import { createFxRatesSource, RATES_BACKFILL_SOURCES } from '../../../shared/rates/sources/factory';
import { FAKE_CREDENTIALS } from '../../fakes/partnerCenterFake';
import { startRetailFake } from '../../fakes/retailFake';
import { fastSettings } from '../../helpers/sources';
import { testStorage } from '../../helpers/storage';

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
