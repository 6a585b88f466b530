import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ApiDoc } from '../shared/api/endpoint';
import { healthResponseSchema } from '../shared/api/schemas';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { checkHealth } from '../shared/runs/health';
import { RETRY_AFTER_SECONDS } from '../shared/api/endpoint';

const healthDoc: ApiDoc = {
  summary: 'Storage reachable, and how fresh each market/view is',
  description:
    'Per market/view: the last successful current refresh (backfills, ingests and uploads do not count), its ' +
    'age, whether it is stale, and the last failed refresh when it came after it. HTTP 503 with the same body ' +
    '(status `unavailable`, no internals, `Retry-After`) when storage does not answer within STORAGE_TIMEOUT_SECONDS.',
  response: healthResponseSchema,
};

/**
 * 200 while storage answers (status `ok` or `stale` in the body); 503 with Retry-After when storage
 * is unreachable or slower than STORAGE_TIMEOUT_SECONDS. The endpoint is anonymous: the cause goes
 * to the log, not into the body.
 */
export async function healthHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  const report = await checkHealth(apiStorage, settings);
  const { error, ...storage } = report.storage;
  if (report.status !== 'unavailable') return { status: 200, jsonBody: report };
  invocationLogger(context).error('health: storage unavailable', { error: error ?? null });
  return {
    status: 503,
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    jsonBody: { ...report, storage },
  };
}

httpFunction(
  'health',
  { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: healthHandler },
  healthDoc,
);
