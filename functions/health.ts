import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { ApiDoc } from '../shared/api/endpoint';
import { healthResponseSchema } from '../shared/api/schemas';
import { httpFunction } from '../runtime/registry';
import { appServices } from '../runtime/services';
import { checkHealth } from '../shared/runs/health';

const healthDoc: ApiDoc = {
  summary: 'Storage reachable, and how fresh each market/view is',
  description:
    'Per market/view: the last successful current refresh (backfills, ingests and uploads do not count), its ' +
    'age, whether it is stale, and the last failed refresh when it came after it. HTTP 503 with the same body ' +
    '(status `unavailable`) when storage does not answer.',
  response: healthResponseSchema,
};

/** 200 while storage answers (status `ok` or `stale` in the body); 503 when storage is unreachable. */
export async function healthHandler(_request: HttpRequest): Promise<HttpResponseInit> {
  const { settings, storage } = appServices();
  const report = await checkHealth(storage, settings);
  return { status: report.status === 'unavailable' ? 503 : 200, jsonBody: report };
}

httpFunction(
  'health',
  { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: healthHandler },
  healthDoc,
);
