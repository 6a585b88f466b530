import { createHash } from 'node:crypto';
import type { ApiRequest, ApiResponse } from './endpoint';
import { jsonResponse } from './endpoint';
import { freshnessOf, type SnapshotMark } from './freshness';

/**
 * Conditional GET. A data answer's ETag is a digest of what it was read from — the committed
 * snapshots' identities and the normalized query — so it can be computed from a few small reads
 * before the answer itself: an `If-None-Match` that holds it is a 304 without reading the rest.
 * The ETag is weak (`W/`): it stands for the data, not the bytes (the body's `freshness.ageSeconds`
 * grows while the data stays the same). Data can change at any time (a refresh, a backfill, an
 * upload), so clients may keep an answer but must revalidate it: `Cache-Control: private, no-cache`.
 */

export const REVALIDATE = 'private, no-cache';
export const NO_STORE = 'no-store';

export function weakEtag(validator: readonly unknown[]): string {
  return `W/"${createHash('sha256').update(JSON.stringify(validator)).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.2: `*`, or any listed tag equal to ours by weak comparison (the W/ prefix ignored). */
export function ifNoneMatchHolds(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** What a conditional answer depends on, and the snapshot whose freshness it reports (if any). */
export interface Validator {
  validator: readonly unknown[];
  freshness?: SnapshotMark;
}

/**
 * 304 (no body) when the request's If-None-Match holds the ETag, without calling `build`; else 200
 * with `build`'s body plus `freshness`. Both carry ETag and Cache-Control.
 */
export async function conditionalJson(
  request: ApiRequest,
  { validator, freshness }: Validator,
  build: () => Promise<Record<string, unknown>>,
): Promise<ApiResponse> {
  const etag = weakEtag(validator);
  const headers = { etag, 'cache-control': REVALIDATE };
  if (ifNoneMatchHolds(request.headers.get('if-none-match'), etag)) return { status: 304, headers, body: '' };
  const body = await build();
  const response = jsonResponse(200, freshness ? { ...body, freshness: freshnessOf(freshness) } : body);
  return { ...response, headers: { ...response.headers, ...headers } };
}
