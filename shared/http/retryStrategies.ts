import { randomInt } from 'node:crypto';
import type { PipelineResponse, RetryStrategy } from '@azure/core-rest-pipeline';

/**
 * The two strategies the SDK's `retryPolicy` runs, in order. They differ from the SDK's stock
 * `throttlingRetryStrategy` + `exponentialRetryStrategy` (behind `defaultRetryPolicy`) in two ways
 * this app needs: Retry-After is capped at HTTP_MAX_RETRY_DELAY_MS (a server asking for an hour
 * must not park a function for an hour), and a 429 without Retry-After is retried with backoff
 * instead of being handed back at once.
 */

export interface Backoff {
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/** Connection-level failures worth another attempt (ours: ETIMEDOUT from the attempt timeout and the body guard). */
const TRANSIENT_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** 501 and 505 will not change on a second try. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(response: Pick<PipelineResponse, 'headers'>): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Full exponential delay with the upper half jittered, as the SDK's own calculateRetryDelay. */
export function backoffDelayMs(retryCount: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.maxRetryDelayMs, backoff.retryDelayMs * 2 ** retryCount);
  const half = Math.floor(ceiling / 2);
  return ceiling - half + randomInt(0, half + 1);
}

/** 429 or 503 with Retry-After: wait as told, capped. */
export function retryAfterStrategy(backoff: Backoff): RetryStrategy {
  return {
    name: 'retryAfter',
    retry({ response }) {
      const wait = response && isTransientStatus(response.status) ? retryAfterMs(response) : undefined;
      if (wait === undefined) return { skipStrategy: true };
      return { retryAfterInMs: Math.min(wait, backoff.maxRetryDelayMs) };
    },
  };
}

/** 408, 429, 5xx and connection failures: exponential backoff with jitter. Anything else is final. */
export function backoffStrategy(backoff: Backoff): RetryStrategy {
  return {
    name: 'exponentialBackoff',
    retry({ retryCount, response, responseError }) {
      const transientError = responseError !== undefined && TRANSIENT_ERROR_CODES.has(responseError.code ?? '');
      const transientStatus = response !== undefined && isTransientStatus(response.status);
      if (responseError && !transientError && !transientStatus) return { errorToThrow: responseError };
      if (!transientError && !transientStatus) return { skipStrategy: true };
      return { retryAfterInMs: backoffDelayMs(retryCount, backoff) };
    },
  };
}
