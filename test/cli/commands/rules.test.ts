import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonSummary, runCli } from '../../helpers/cli';
import { testSettings } from '../../helpers/storage';
import { createStorageClients } from '../../../shared/storage/clients';
import { listRules } from '../../../shared/quotes/ruleStore';

/** `npm run cli -- rules import|export`: all or nothing, errors by line and column, a round trip. */

const settings = testSettings();
const storage = createStorageClients(settings);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-rules-'));

const HEADER =
  'id,customer,customerGroup,market,view,productId,skuId,tag,adjustment,value,currency,decimals,mode,validFrom,validTo,description';
const file = (name: string, lines: string[]) => {
  const full = path.join(dir, name);
  fs.writeFileSync(full, [HEADER, ...lines].join('\n') + '\n');
  return full;
};

describe('cli rules', () => {
  beforeAll(() => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a file with a bad line, naming line and column, and writes none of its rules', async () => {
    const bad = file('bad.csv', [
      'all,,,,,,,,markupPercent,10,,,,2026-01-01,,everyone',
      'contoso,contoso,,US,,,,,marginPercent,120,,2,halfUp,2026-01-01,,',
      'fixed,,gold,,,,,,fixedPerUnit,0.5,,,,2026-01-01,,',
      'all,,,,,,,,markupPercent,5,,,,2026-02-30,,',
    ]);
    const run = await runCli(['rules', 'import', bad, '--json']);
    expect(run.code).toBe(2);
    const summary = jsonSummary(run.stdout);
    expect(summary).toMatchObject({ ok: false, written: 0 });
    expect(summary.errors).toEqual([
      'line 3, value: must be from 0 up to (not including) 100',
      'line 4, currency: required with a fixed amount: a three-letter currency code such as EUR',
      'line 5, id: all is also on line 2',
      'line 5, validFrom: must be an ISO 8601 date (2026-12-01) or UTC date-time',
    ]);
    expect(await listRules(storage)).toEqual([]);
  });

  it('imports a valid file and exports the same rules, which import again unchanged', async () => {
    const good = file('good.csv', [
      'all,,,,,,,,markupPercent,10,,,,2026-01-01,,everyone',
      'contoso-vm,contoso,,us,azure_consumption,DZH318Z0BQ4L,0001,,marginPercent,25,,2,up,2026-01-01,2027-01-01,',
      'gold-fixed,,gold,,,,,Consumption,fixedPerUnit,0.005,EUR,4,halfEven,2026-06-01T12:00:00Z,,',
    ]);
    const imported = await runCli(['rules', 'import', good, '--json']);
    expect(imported.code).toBe(0);
    expect(jsonSummary(imported.stdout)).toMatchObject({ ok: true, written: 3 });
    const stored = await listRules(storage);
    expect(stored.map((rule) => rule.id)).toEqual(['all', 'contoso-vm', 'gold-fixed']);
    expect(stored[1]).toMatchObject({
      scope: { customer: 'contoso', market: 'US', view: 'azure_consumption', productId: 'DZH318Z0BQ4L', skuId: '0001' },
      adjustment: { type: 'marginPercent', percent: '25' },
      rounding: { decimals: 2, mode: 'up' },
      validTo: '2027-01-01T00:00:00.0000000Z',
    });
    expect(stored[2]).toMatchObject({
      adjustment: { type: 'fixedPerUnit', amount: '0.005', currency: 'EUR' },
      currency: 'EUR',
    });

    const out = path.join(dir, 'exported.csv');
    const exported = await runCli(['rules', 'export', '--out', out, '--json']);
    expect(jsonSummary(exported.stdout)).toMatchObject({ ok: true, rules: 3, out });
    expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toBe(HEADER);
    expect((await runCli(['rules', 'import', out, '--json'])).code).toBe(0);
    expect(await listRules(storage)).toEqual(stored);
  });
});
