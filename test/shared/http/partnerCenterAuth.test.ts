import { inspect } from 'node:util';
import { createPartnerCenterAuth, PartnerCenterAuthError } from '../../../shared/http/partnerCenterAuth';
import { FAKE_CREDENTIALS, startPartnerCenterFake, type PartnerCenterFake } from '../../fakes/partnerCenterFake';
import { fastHttp, fastSettings } from '../../helpers/sources';

describe('Partner Center App+User auth', () => {
  let fake: PartnerCenterFake;

  beforeEach(async () => {
    fake = await startPartnerCenterFake();
  });
  afterEach(() => fake.close());

  const auth = (overrides: Record<string, string> = {}, now?: () => number) => {
    const settings = fastSettings({ ...fake.settings, ...overrides });
    return createPartnerCenterAuth(settings, fastHttp(settings), now);
  };

  /** Nothing a person or a log collector could see may hold a credential. */
  function expectNoCredentials(error: unknown): void {
    for (const text of [
      String(error),
      (error as Error).stack ?? '',
      inspect(error, { depth: 5, showHidden: true }),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain(FAKE_CREDENTIALS.appSecret);
      expect(text).not.toContain(FAKE_CREDENTIALS.refreshToken);
    }
  }

  it('redeems the refresh token at the v1 token endpoint with the expected form', async () => {
    const token = await auth().getToken();
    expect(token).toBe('fake-access-token-1');
    const [request] = fake.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/${FAKE_CREDENTIALS.tenantId}/oauth2/token`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: FAKE_CREDENTIALS.appId,
      client_secret: FAKE_CREDENTIALS.appSecret,
      refresh_token: FAKE_CREDENTIALS.refreshToken,
      resource: 'https://api.partner.microsoft.com',
    });
  });

  it('caches the token until shortly before it expires', async () => {
    let now = Date.UTC(2024, 0, 1);
    const provider = auth({}, () => now);
    expect(await provider.getToken()).toBe('fake-access-token-1');
    now += 50 * 60 * 1000;
    expect(await provider.getToken()).toBe('fake-access-token-1');
    expect(fake.issuedTokens).toHaveLength(1);
    // 3599 s lifetime, renewed five minutes early.
    now += 5 * 60 * 1000;
    expect(await provider.getToken()).toBe('fake-access-token-2');
  });

  it('shares one redemption between parallel callers', async () => {
    const provider = auth();
    const tokens = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(new Set(tokens)).toEqual(new Set(['fake-access-token-1']));
    expect(fake.requests).toHaveLength(1);
  });

  it('redeems again after invalidate', async () => {
    const provider = auth();
    await provider.getToken();
    provider.invalidate();
    expect(await provider.getToken()).toBe('fake-access-token-2');
  });

  it('explains a refused refresh token without showing it', async () => {
    const failure = auth({ PARTNER_CENTER_REFRESH_TOKEN: `${FAKE_CREDENTIALS.refreshToken}-old` }).getToken();
    const error = await failure.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerCenterAuthError);
    expect(String(error)).toMatch(
      /HTTP 400 \(invalid_grant: AADSTS70008: The refresh token has expired due to inactivity\.\)/,
    );
    expect(String(error)).not.toContain('Trace ID');
    expectNoCredentials(error);
  });

  it('explains a wrong client secret without showing it', async () => {
    const error = await auth({ PARTNER_CENTER_APP_SECRET: 'wrong-secret-value' })
      .getToken()
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/HTTP 401 \(invalid_client: AADSTS7000215/);
    expect(String(error)).not.toContain('wrong-secret-value');
    expectNoCredentials(error);
  });

  it('reports an unreachable token endpoint without credentials', async () => {
    fake.inject({ kind: 'reset' }, { times: 10 });
    const error = await auth()
      .getToken()
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(
      new RegExp(
        'token request failed: http://127\\.0\\.0\\.1:\\d+/fake-tenant-0000/oauth2/token: ' +
          'socket hang up \\(gave up after 4 attempts\\)',
      ),
    );
    expectNoCredentials(error);
  });

  it('refuses to start without the four credentials', () => {
    expect(() => auth({ PARTNER_CENTER_REFRESH_TOKEN: '' })).toThrow(
      /needs PARTNER_CENTER_TENANT_ID, .*PARTNER_CENTER_REFRESH_TOKEN/,
    );
  });
});
