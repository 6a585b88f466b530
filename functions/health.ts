import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { jsonResponse, storageUnavailableResponse, STORAGE_UNAVAILABLE_DOC, type ApiDoc } from '../shared/api/endpoint';
import { NO_STORE } from '../shared/api/caching';
import { healthResponseSchema } from '../shared/api/schemas';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { checkHealth } from '../shared/runs/health';

const healthDoc: ApiDoc = {
  summary: 'Storage reachable, and how fresh each market/view is',
  description:
    'Per market/view: the last successful current refresh (backfills, ingests and uploads do not count), its ' +
    'age, whether it is stale, and the last failed refresh when it came after it. Never cached (no-store).',
  response: healthResponseSchema,
  errors: { 503: `${STORAGE_UNAVAILABLE_DOC} The problem carries the report as \`health\` (no internals).` },
  cache: 'no-store',
};

/**
 * 200 while storage answers (status `ok` or `stale` in the body); 503 problem with Retry-After when
 * storage is unreachable or slower than STORAGE_TIMEOUT_SECONDS. The endpoint is anonymous: the
 * cause goes to the log, not into the body.
 */
export async function healthHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  const report = await checkHealth(apiStorage, settings);
  const { error, ...storage } = report.storage;
  const noStore = { 'cache-control': NO_STORE };
  if (report.status !== 'unavailable') return jsonResponse(200, report, noStore);
  const logger = invocationLogger(context);
  logger.error('health: storage unavailable', { error: error ?? null });
  const response = storageUnavailableResponse(logger.correlationId, { health: { ...report, storage } });
  return { ...response, headers: { ...response.headers, ...noStore } };
}

httpFunction(
  'health',
  { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: healthHandler },
  healthDoc,
);
