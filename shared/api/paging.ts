import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ApiError } from './errors';

/**
 * Continuation tokens: the cursor of the next page as base64url JSON, plus a check value over the
 * cursor and the query it belongs to. A token that was altered, cut off or sent with another query
 * is refused with a 400. The check is not a secret (a cursor grants nothing: every value in it is
 * validated again and reaches storage only as a key or an escaped filter value); it stops clients
 * from building on the token's format and catches mistakes.
 */

const FORMAT = 'v1';

const checkOf = (body: string, binding: string) =>
  createHash('sha256')
    .update(FORMAT)
    .update('\n')
    .update(binding)
    .update('\n')
    .update(body)
    .digest('base64url')
    .slice(0, 22);

export function encodeToken(cursor: unknown, binding: string): string {
  const body = Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
  return `${body}.${checkOf(body, binding)}`;
}

export function decodeToken<T>(token: string, binding: string, schema: z.ZodType<T>): T {
  const invalid = (why: string) =>
    new ApiError(400, 'InvalidContinuationToken', `continuationToken: ${why}`, { parameter: 'continuationToken' });
  const [body, check, ...rest] = token.split('.');
  if (!body || !check || rest.length > 0 || !/^[\w-]+$/.test(body)) throw invalid('not a token issued by this API');
  if (check !== checkOf(body, binding)) throw invalid('altered, or issued for a different query');
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
