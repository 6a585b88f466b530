import fs from 'node:fs';
import path from 'node:path';
import { loadSettings, SettingsError, settingsSchema } from '../../../shared/config/settings';

describe('settings', () => {
  it('gives defaults for a local run with nothing configured', () => {
    const s = loadSettings({});
    expect(s.PRICES_SOURCE).toBe('sample');
    expect(s.PRICES_MARKETS).toEqual(['US']);
    expect(s.PRICES_VIEWS).toEqual(['azure_consumption', 'azure_reservations']);
    expect(s.REJECTED_ROWS_MAX_PERCENT).toBe(1);
  });

  it('parses lists and numbers', () => {
    const s = loadSettings({ PRICES_MARKETS: 'US, DE ,GB', TABLE_WRITE_CONCURRENCY: '8' });
    expect(s.PRICES_MARKETS).toEqual(['US', 'DE', 'GB']);
    expect(s.TABLE_WRITE_CONCURRENCY).toBe(8);
  });

  it('names every bad setting in one message and hides secrets', () => {
    let error: unknown;
    try {
      loadSettings({
        PRICES_MARKETS: 'usa',
        PRICES_SCHEDULE: 'daily',
        REJECTED_ROWS_MAX_PERCENT: 'lots',
        PRICES_SOURCE: 'partnercenter',
        PARTNER_CENTER_APP_SECRET: 'hunter2',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const message = (error as Error).message;
    for (const name of [
      'PRICES_MARKETS',
      'PRICES_SCHEDULE',
      'REJECTED_ROWS_MAX_PERCENT',
      'PARTNER_CENTER_TENANT_ID',
      'PARTNER_CENTER_APP_ID',
      'PARTNER_CENTER_REFRESH_TOKEN',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('PARTNER_CENTER_APP_SECRET');
    expect(message).not.toContain('hunter2');
    expect((error as SettingsError).problems.length).toBe(6);
  });

  it('does not echo the value of a bad setting whose name ends in KEY', () => {
    expect(() => loadSettings({ LOCAL_FUNCTION_KEY: 'k3y!' })).toThrow(
      /LOCAL_FUNCTION_KEY: .*\(set \(value hidden\)\)/,
    );
    expect(() => loadSettings({ LOCAL_FUNCTION_KEY: 'k3y!' })).not.toThrow(/k3y!/);
  });

  it('keeps UPLOAD_MAX_ATTEMPTS below the deliveries of a queue message (maxDequeueCount 5), so the last one can quarantine', () => {
    expect(loadSettings({ UPLOAD_MAX_ATTEMPTS: '4' }).UPLOAD_MAX_ATTEMPTS).toBe(4);
    expect(() => loadSettings({ UPLOAD_MAX_ATTEMPTS: '5' })).toThrow(/UPLOAD_MAX_ATTEMPTS/);
  });

  it('takes CORS origins exactly as browsers send them, and names a malformed one', () => {
    expect(
      loadSettings({ CORS_ALLOWED_ORIGINS: 'https://portal.example.com, http://localhost:3000' }).CORS_ALLOWED_ORIGINS,
    ).toEqual(['https://portal.example.com', 'http://localhost:3000']);
    expect(loadSettings({}).CORS_ALLOWED_ORIGINS).toEqual([]);
    for (const bad of ['https://portal.example.com/', 'portal.example.com', 'https://portal.example.com/app'])
      expect(() => loadSettings({ CORS_ALLOWED_ORIGINS: bad })).toThrow(/CORS_ALLOWED_ORIGINS.*an origin such as/);
  });

  it('rejects an unknown price view and source', () => {
    expect(() => loadSettings({ PRICES_VIEWS: 'azure_consumption,marketplace' })).toThrow(/PRICES_VIEWS/);
    expect(() => loadSettings({ PRICES_SOURCE: 'ftp' })).toThrow(/PRICES_SOURCE/);
  });

  it('local.settings.sample.json documents every setting and nothing else', () => {
    const sample = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', '..', '..', 'local.settings.sample.json'), 'utf8'),
    );
    const documented = Object.keys(sample.Values).filter(
      (k) => !['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsFeatureFlags'].includes(k),
    );
    const known = Object.keys(settingsSchema.shape);
    expect(documented.sort()).toEqual(known.sort());
    expect(() => loadSettings(sample.Values)).not.toThrow();
  });
});
