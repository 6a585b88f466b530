import yazl from 'yazl';
import { startFakeServer, type FakeServer, type Reply } from './fakeServer';

/**
 * Partner Center and its token endpoint in one fake: the v1 token endpoint redeems the refresh
 * token of the secure application model; downloads (price sheets, and any other `$value` file
 * such as fxrates) need the bearer token it issued, and come as a zip holding one CSV when the
 * client sends `Accept-Encoding: deflate`, as the real service does.
 */

export const FAKE_CREDENTIALS = {
  tenantId: 'fake-tenant-0000',
  appId: 'fake-app-1111',
  appSecret: 'fake-secret-S3cr3t!value',
  refreshToken: 'fake-refresh-token-R3fr3sh',
};

interface FakeFile {
  csv: string;
  /** Answer plain CSV even when a zip was asked for (the service does so for data before April 2020). */
  plainOnly: boolean;
}

export interface PartnerCenterFake extends FakeServer {
  /** App settings pointing the app at this fake with the fake credentials. */
  settings: Record<string, string>;
  /** Access tokens issued so far. */
  issuedTokens: string[];
  /** Serves `csv` at a download path such as priceSheetPath(...); lookup ignores percent-encoding. */
  setFile(path: string, csv: string, options?: { plainOnly?: boolean }): void;
  /** Makes every token issued so far invalid (consent revoked). */
  revokeTokens(): void;
}

export function priceSheetPath(market: string, view: string, timeline: 'current' | 'future' = 'current'): string {
  return `/v1.0/sales/pricesheets(Market='${market}',PricesheetView='${view}')/$value?timeline=${timeline}`;
}

/** A month's list (YYYYMM) from the history timeline, as the backfill asks for it. */
export function historySheetPath(market: string, view: string, month: string): string {
  return `${priceSheetPath(market, view).replace('timeline=current', 'timeline=history')}&month=${month}`;
}

export function fxRatesPath(month: string): string {
  return `/v1.0/sales/fxrates(Month='${month}')/$value`;
}

const json = (status: number, body: unknown): Reply => ({
  status,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** What the identity platform answers to a bad redemption (shape of a real v1 error). */
const tokenRefusal = (error: string, description: string) =>
  json(400, {
    error,
    error_description: `${description}\r\nTrace ID: 00000000-0000\r\nTimestamp: 2024-01-01 00:00:00Z`,
    error_codes: [70000],
  });

/** What the pricing workspace and the API's deflate answer hold: one deflated CSV entry. */
async function zipOneCsv(csv: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(csv, 'utf8'), 'pricesheet.csv');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startPartnerCenterFake(options: { expiresInSeconds?: number } = {}): Promise<PartnerCenterFake> {
  const files = new Map<string, FakeFile>();
  const issuedTokens: string[] = [];
  const validTokens = new Set<string>();

  const server = await startFakeServer((request) => {
    if (request.method === 'POST' && request.url.pathname.endsWith('/oauth2/token')) {
      if (request.url.pathname !== `/${FAKE_CREDENTIALS.tenantId}/oauth2/token`) {
        return tokenRefusal('invalid_request', 'AADSTS90002: Tenant not found.');
      }
      const form = new URLSearchParams(request.body);
      if (form.get('grant_type') !== 'refresh_token')
        return tokenRefusal('unsupported_grant_type', 'AADSTS70003: grant_type not supported.');
      if (form.get('resource') !== 'https://api.partner.microsoft.com')
        return tokenRefusal('invalid_resource', 'AADSTS500011: resource not found.');
      if (
        form.get('client_id') !== FAKE_CREDENTIALS.appId ||
        form.get('client_secret') !== FAKE_CREDENTIALS.appSecret
      ) {
        return json(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
      }
      if (form.get('refresh_token') !== FAKE_CREDENTIALS.refreshToken) {
        return tokenRefusal('invalid_grant', 'AADSTS70008: The refresh token has expired due to inactivity.');
      }
      const token = `fake-access-token-${issuedTokens.length + 1}`;
      issuedTokens.push(token);
      validTokens.add(token);
      const expiresIn = String(options.expiresInSeconds ?? 3599);
      return json(200, {
        token_type: 'Bearer',
        expires_in: expiresIn,
        resource: form.get('resource'),
        access_token: token,
        refresh_token: 'rotated',
      });
    }

    if (request.method !== 'GET') return json(405, { message: 'method not allowed' });
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!bearer || !validTokens.has(bearer))
      return json(401, { statusCode: 401, message: 'Invalid Authorization header' });
    const file = files.get(decodeURIComponent(request.path));
    if (!file) return json(404, { statusCode: 404, message: 'Not Found' });
    const wantsZip = /\bdeflate\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (!wantsZip || file.plainOnly)
      return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: file.csv };
    return zipOneCsv(file.csv).then((zip) => ({
      status: 200,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: zip,
    }));
  });

  return {
    ...server,
    settings: {
      PARTNER_CENTER_TENANT_ID: FAKE_CREDENTIALS.tenantId,
      PARTNER_CENTER_APP_ID: FAKE_CREDENTIALS.appId,
      PARTNER_CENTER_APP_SECRET: FAKE_CREDENTIALS.appSecret,
      PARTNER_CENTER_REFRESH_TOKEN: FAKE_CREDENTIALS.refreshToken,
      PARTNER_CENTER_AUTHORITY: server.url,
      PARTNER_CENTER_BASE_URL: server.url,
    },
    issuedTokens,
    setFile(path, csv, fileOptions = {}) {
      files.set(decodeURIComponent(path), { csv, plainOnly: fileOptions.plainOnly ?? false });
    },
    revokeTokens() {
      validTokens.clear();
    },
  };
}
