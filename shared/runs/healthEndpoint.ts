import {
  jsonResponse,
  storageUnavailableResponse,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
} from '../api/endpoint';
import { NO_STORE } from '../api/caching';
import { healthResponseSchema } from '../api/schemas';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { checkHealth } from './health';

export const healthDoc: ApiDoc = {
  summary: 'Storage reachable, and how fresh each market/view is',
  description:
    'Per market/view: the last successful current refresh (backfills, ingests and uploads do not count), its ' +
    'age, whether it is stale, and the last failed refresh when it came after it. Never cached (no-store).',
  response: healthResponseSchema,
  errors: { 503: `${STORAGE_UNAVAILABLE_DOC} The problem carries the report as \`health\` (no internals).` },
  cache: 'no-store',
};

/**
 * GET /api/health: 200 while storage answers (status `ok` or `stale` in the body); 503 problem with
 * Retry-After when storage is unreachable or slower than STORAGE_TIMEOUT_SECONDS. The endpoint is
 * anonymous: the cause goes to the log, not into the body.
 */
export async function handleHealth(storage: StorageClients, settings: Settings, logger: Logger): Promise<ApiResponse> {
  const report = await checkHealth(storage, settings);
  const { error, ...reachable } = report.storage;
  const noStore = { 'cache-control': NO_STORE };
  if (report.status !== 'unavailable') return jsonResponse(200, report, noStore);
  logger.error('health: storage unavailable', { error: error ?? null });
  const response = storageUnavailableResponse(logger.correlationId, { health: { ...report, storage: reachable } });
  return { ...response, headers: { ...response.headers, ...noStore } };
}
