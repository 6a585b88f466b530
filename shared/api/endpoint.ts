import type { z } from 'zod';
import type { Logger } from '../observability/logger';
import { isStorageUnavailable } from '../storage/clients';
import { ApiError, fromQueryIssues } from './errors';
import { toJson } from './json';

/**
 * The HTTP API without trigger plumbing: an endpoint takes the query string and answers status,
 * headers and body text (the shape of an HttpResponseInit), so functions/ stay one-liners and the
 * tests and the benchmark call the same code the host does.
 */

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the OpenAPI document says about an endpoint; `query` is the schema that validates its requests. */
export interface ApiDoc {
  summary: string;
  description?: string;
  query?: z.ZodObject;
  /** The request body (JSON), for endpoints that take one; a schema with `.meta({ id })` is a named component. */
  requestBody?: z.ZodType;
  /** The 200 body; a schema with `.meta({ id })` is a named component. */
  response?: z.ZodType;
  /** The 200 body's media type when it is not JSON (a file download); `response` is then not used. */
  responseMediaTypes?: Record<string, string>;
  /** Statuses other than 200 the endpoint answers, with why. */
  errors?: Record<number, string>;
}

/** The function key may ride in the query (`?code=`); the host consumes it, the API ignores it. */
const HOST_PARAMETERS = new Set(['code']);

export function jsonResponse(status: number, value: unknown): ApiResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: toJson(value) };
}

function errorResponse(error: ApiError): ApiResponse {
  return jsonResponse(error.status, { error: { code: error.code, message: error.message, details: error.details } });
}

/** Validates the query with the endpoint's schema: every parameter once, none unknown. */
export function parseQuery<S extends z.ZodObject>(schema: S, query: URLSearchParams): z.output<S> {
  const values: Record<string, string> = {};
  for (const [name, value] of query) {
    if (HOST_PARAMETERS.has(name)) continue;
    if (name in values)
      throw new ApiError(400, 'DuplicateParameter', `${name}: given more than once`, { parameter: name });
    values[name] = value;
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw fromQueryIssues(parsed.error.issues);
  return parsed.data;
}

/** Seconds a client is asked to wait (Retry-After) when storage is unavailable. */
export const RETRY_AFTER_SECONDS = 30;

/** The 503 of every endpoint that reads storage, as its ApiDoc states it. */
export const STORAGE_UNAVAILABLE_DOC =
  'ServiceUnavailable: storage is unreachable or slower than STORAGE_TIMEOUT_SECONDS; retry after Retry-After seconds.';

/** 503 with Retry-After: storage is down or slow; the body tells no more than that (the log has the cause). */
function storageUnavailableResponse(correlationId: string): ApiResponse {
  const response = errorResponse(
    new ApiError(503, 'ServiceUnavailable', 'storage is unavailable; try again later', { correlationId }),
  );
  return { ...response, headers: { ...response.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } };
}

/**
 * Runs an endpoint (whose answer may also be a streamed file, `R`): ApiErrors become their answer; storage down or slow becomes a 503 with
 * Retry-After; anything else is logged and becomes a 500. Both carry the correlation id, never the
 * internal message.
 */
export async function runEndpoint<R = ApiResponse>(logger: Logger, work: () => Promise<R>): Promise<R | ApiResponse> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e);
    if (isStorageUnavailable(e)) {
      logger.error('storage unavailable', { error: (e as Error).message });
      return storageUnavailableResponse(logger.correlationId);
    }
    logger.error('request failed', { error: (e as Error).message, stack: (e as Error).stack ?? null });
    return errorResponse(
      new ApiError(500, 'InternalError', 'internal error; the logs have the details', {
        correlationId: logger.correlationId,
      }),
    );
  }
}
