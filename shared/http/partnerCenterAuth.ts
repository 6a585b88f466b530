import { z } from 'zod';
import type { Settings } from '../config/settings';
import { endpointOf } from './endpoint';
import type { UpstreamHttp } from './upstreamHttp';

/**
 * App+User tokens for the Partner Center API (app-only tokens are refused there). An unattended
 * job holds no user session, so it redeems the refresh token stored under the secure application
 * model (an Admin Agent or Sales Agent consented once) at the Entra ID v1 token endpoint.
 */

const PARTNER_CENTER_RESOURCE = 'https://api.partner.microsoft.com';

/** Renewed this long before it expires, so a token never runs out during a download. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export interface AccessTokenProvider {
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets the cached token (the API refused it, e.g. after consent was revoked). */
  invalidate(): void;
}

/** A token could not be had. The message never carries the secret or a token. */
export class PartnerCenterAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartnerCenterAuthError';
  }
}

interface Credentials {
  tenantId: string;
  appId: string;
  appSecret: string;
  refreshToken: string;
}

function credentialsFrom(settings: Settings): Credentials {
  const { PARTNER_CENTER_TENANT_ID, PARTNER_CENTER_APP_ID, PARTNER_CENTER_APP_SECRET, PARTNER_CENTER_REFRESH_TOKEN } =
    settings;
  if (
    !PARTNER_CENTER_TENANT_ID ||
    !PARTNER_CENTER_APP_ID ||
    !PARTNER_CENTER_APP_SECRET ||
    !PARTNER_CENTER_REFRESH_TOKEN
  ) {
    throw new PartnerCenterAuthError(
      'the partnercenter source needs PARTNER_CENTER_TENANT_ID, PARTNER_CENTER_APP_ID, ' +
        'PARTNER_CENTER_APP_SECRET and PARTNER_CENTER_REFRESH_TOKEN',
    );
  }
  return {
    tenantId: PARTNER_CENTER_TENANT_ID,
    appId: PARTNER_CENTER_APP_ID,
    appSecret: PARTNER_CENTER_APP_SECRET,
    refreshToken: PARTNER_CENTER_REFRESH_TOKEN,
  };
}

/** The v1 endpoint answers expires_in as a string of seconds. */
const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});

const tokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

export function createPartnerCenterAuth(
  settings: Settings,
  http: UpstreamHttp,
  now: () => number = Date.now,
): AccessTokenProvider {
  const credentials = credentialsFrom(settings);
  const authority = settings.PARTNER_CENTER_AUTHORITY.replace(/\/+$/, '');
  const tokenUrl = `${authority}/${encodeURIComponent(credentials.tenantId)}/oauth2/token`;
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  /** Belt and braces: the identity platform does not echo credentials, but a proxy or a fake might. */
  const redact = (text: string) =>
    [credentials.appSecret, credentials.refreshToken].reduce((t, secret) => t.split(secret).join('[redacted]'), text);
  const fail = (problem: string) =>
    new PartnerCenterAuthError(redact(`token request to ${endpointOf(tokenUrl)} failed: ${problem}`));

  async function redeem(signal?: AbortSignal): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: credentials.appId,
      client_secret: credentials.appSecret,
      refresh_token: credentials.refreshToken,
      resource: PARTNER_CENTER_RESOURCE,
    });
    const response = await http
      .send({
        url: tokenUrl,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal,
      })
      .catch((error: Error) => {
        // The HTTP layer's message already names the endpoint.
        throw new PartnerCenterAuthError(redact(`token request failed: ${error.message}`));
      });
    const json = parseJson(response.text);
    if (response.status !== 200) {
      const refusal = tokenErrorSchema.safeParse(json);
      // The first line of the description carries the AADSTS code and its meaning; trace ids follow.
      const reason = refusal.success
        ? `${refusal.data.error}: ${refusal.data.error_description?.split(/\r?\n/)[0] ?? ''}`
        : 'no error details';
      throw fail(`HTTP ${response.status} (${reason.trim()})`);
    }
    const token = tokenResponseSchema.safeParse(json);
    if (!token.success) throw fail('the response holds no access_token/expires_in');
    const lifetimeMs = token.data.expires_in * 1000;
    cached = {
      token: token.data.access_token,
      renewAt: now() + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2),
    };
    return token.data.access_token;
  }

  return {
    async getToken(signal) {
      if (cached && now() < cached.renewAt) return cached.token;
      // Parallel downloads share one redemption.
      pending ??= redeem(signal).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
