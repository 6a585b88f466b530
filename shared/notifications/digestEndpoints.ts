import { z } from 'zod';
import { parseDay } from '../core/dates';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import {
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
  type ResourceRequest,
} from '../api/endpoint';
import { NO_STORE, conditionalJson } from '../api/caching';
import { ApiError } from '../api/errors';
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

const digestListSchema = z
  .object({
    digests: z.array(
      z.object({
        subscriptionId: z.string(),
        day: z.string().meta({ format: 'date' }),
        formats: z.array(z.enum(['html', 'markdown'])),
      }),
    ),
  })
  .meta({ id: 'DigestList', description: 'The stored daily digests, newest day first.' });

export const digestsDoc: ApiDoc = {
  summary: 'The stored daily digests, newest day first',
  query: listQuerySchema,
  response: digestListSchema,
  errors: { 400: 'InvalidParameter: `subscriptionId` is not a UUID.', 503: STORAGE_UNAVAILABLE_DOC },
};

export const digestDoc: ApiDoc = {
  summary: 'One daily digest as an HTML page or Markdown',
  description: 'Not cached (`Cache-Control: no-store`, no ETag): a page to read, sent as stored.',
  query: readQuerySchema,
  cache: 'no-store',
  responseMediaTypes: {
    'text/html': 'The digest as an HTML page (format=html, the default).',
    'text/markdown': 'The digest as Markdown (format=markdown).',
  },
  errors: {
    400: 'InvalidParameter: `format`.',
    404: 'DigestNotFound: no digest of this subscription and day.',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

export function handleDigests(request: ResourceRequest, storage: StorageClients, logger: Logger): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const { subscriptionId } = parseQuery(listQuerySchema, request);
    const body = { digests: await listDigests(storage, subscriptionId) };
    return conditionalJson(request, { validator: ['digests', body] }, () => Promise.resolve(body));
  });
}

export function handleDigest(request: ResourceRequest, storage: StorageClients, logger: Logger): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const { format } = parseQuery(readQuerySchema, request);
    const subscriptionId = request.params.subscriptionId ?? '';
    const day = request.params.day ?? '';
    const notFound = new ApiError(404, 'DigestNotFound', `no digest of subscription ${subscriptionId} on ${day}`);
    if (!z.uuid().safeParse(subscriptionId).success || parseDay(day) !== day) throw notFound;
    const digest = await readDigest(storage, subscriptionId, day, format);
    if (!digest) throw notFound;
    return {
      status: 200,
      // The page is data from price sheets: no scripts, nothing loaded from elsewhere.
      headers: {
        'content-type': digest.contentType,
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        'cache-control': NO_STORE,
      },
      body: digest.text,
    };
  });
}
