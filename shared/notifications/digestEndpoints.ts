import { z } from 'zod';
import { parseDay } from '../core/dates';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import {
  jsonResponse,
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
} from '../api/endpoint';
import { ApiError } from '../api/errors';
import type { EndpointRequest } from '../api/request';
import { listDigests, readDigest } from './digestStore';

/** GET /api/digests (the stored daily digests) and GET /api/digests/{subscriptionId}/{day} (one, as HTML or Markdown). */

const listQuerySchema = z.strictObject({
  subscriptionId: z
    .uuid({ error: 'a subscription id (a UUID)' })
    .optional()
    .meta({ description: 'Only this subscription.' }),
});

const readQuerySchema = z.strictObject({
  format: z
    .enum(['html', 'markdown'], { error: 'one of html, markdown' })
    .default('html')
    .meta({ description: 'html (default) or markdown.' }),
});

export const digestsDoc: ApiDoc = {
  summary: 'The stored daily digests, newest day first',
  query: listQuerySchema,
  errors: { 400: 'InvalidParameter', 503: STORAGE_UNAVAILABLE_DOC },
};

export const digestDoc: ApiDoc = {
  summary: 'One daily digest as an HTML page or Markdown',
  query: readQuerySchema,
  errors: {
    400: 'InvalidParameter',
    404: 'NotFound: no digest of this subscription and day.',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

export function handleDigests(request: EndpointRequest, storage: StorageClients, logger: Logger): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const { subscriptionId } = parseQuery(listQuerySchema, request.query);
    return jsonResponse(200, { digests: await listDigests(storage, subscriptionId) });
  });
}

export function handleDigest(request: EndpointRequest, storage: StorageClients, logger: Logger): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const { format } = parseQuery(readQuerySchema, request.query);
    const { subscriptionId, day } = request.params;
    const notFound = new ApiError(404, 'NotFound', 'no digest of this subscription and day');
    if (!z.uuid().safeParse(subscriptionId).success || parseDay(day) !== day) throw notFound;
    const digest = await readDigest(storage, subscriptionId, day, format);
    if (!digest) throw notFound;
    return {
      status: 200,
      // The page is data from price sheets: no scripts, nothing loaded from elsewhere.
      headers: {
        'content-type': digest.contentType,
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      },
      body: digest.text,
    };
  });
}
