import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices } from '../runtime/services';
import { checkHealth } from '../shared/runs/health';

/** 200 while storage answers (status `ok` or `stale` in the body); 503 when storage is unreachable. */
export async function healthHandler(_request: HttpRequest): Promise<HttpResponseInit> {
  const { settings, storage } = appServices();
  const report = await checkHealth(storage, settings);
  return { status: report.status === 'unavailable' ? 503 : 200, jsonBody: report };
}

httpFunction('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: healthHandler });
