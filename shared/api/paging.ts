import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { Settings } from '../config/settings';
import { ApiError } from './errors';

/**
 * Continuation tokens: the cursor of the next page as base64url JSON, plus an HMAC-SHA256 over the
 * cursor, the endpoint and the query that issued it, keyed with a server secret. Only this server
 * can issue a token, and only for that query: a token altered, cut off, forged or sent with
 * another query is refused with a 400. (A cursor names storage keys to resume from; unsigned, a
 * client could point it at another market's partition.)
 */

const FORMAT = 'v2';

/** A random key for runs without PAGING_TOKEN_SECRET: tokens then last as long as the process. */
let processSecret: string | undefined;

/** The key tokens are signed with: PAGING_TOKEN_SECRET (in Azure from Key Vault), else one per process. */
export function pagingSecret(settings: Pick<Settings, 'PAGING_TOKEN_SECRET'>): string {
  if (settings.PAGING_TOKEN_SECRET) return settings.PAGING_TOKEN_SECRET;
  processSecret ??= randomBytes(32).toString('base64url');
  return processSecret;
}

/** A query's binding and the key that signs its tokens. */
export interface TokenScope {
  binding: string;
  secret: string;
}

const signatureOf = (body: string, scope: TokenScope): Buffer =>
  createHmac('sha256', scope.secret).update(`${FORMAT}\n${scope.binding}\n${body}`).digest();

export function encodeToken(cursor: unknown, scope: TokenScope): string {
  const body = Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
  return `${body}.${signatureOf(body, scope).toString('base64url')}`;
}

export function decodeToken<T>(token: string, scope: TokenScope, schema: z.ZodType<T>): T {
  const invalid = (why: string) =>
    new ApiError(400, 'InvalidContinuationToken', `continuationToken: ${why}`, { parameter: 'continuationToken' });
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0 || !/^[\w-]+$/.test(body) || !/^[\w-]+$/.test(signature))
    throw invalid('not a token issued by this API');
  const given = Buffer.from(signature, 'base64url');
  const expected = signatureOf(body, scope);
  // Constant time, so that the signature cannot be found byte by byte from response times.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw invalid('altered, issued for a different query, or issued before the server restarted; start again');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a token issued by this API');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid('not a token issued by this API');
  return parsed.data;
}

/** The parts of a query a token is bound to, in a fixed order. */
export function queryBinding(endpoint: string, parts: Record<string, string | number | undefined>): string {
  return JSON.stringify([
    endpoint,
    ...Object.keys(parts)
      .sort()
      .map((k) => [k, parts[k] ?? null]),
  ]);
}

/**
 * The next page's full URL: the request's own URL with the token replaced, or null on the last
 * page. It is built from the URL the host received (in Azure the app's https host name);
 * X-Forwarded-Host/-Proto are not trusted (any client can send them). The function key (`code`)
 * is left out: the caller sends its key again, as on the first page.
 */
export function nextLink(requestUrl: string, token: string | null): string | null {
  if (token === null) return null;
  const url = new URL(requestUrl);
  url.searchParams.delete('code');
  url.searchParams.set('continuationToken', token);
  return url.toString();
}

/** The paging members of an answer: the token, and the same as a link. */
export const pageLinks = (requestUrl: string, token: string | null) => ({
  continuationToken: token,
  nextLink: nextLink(requestUrl, token),
});
