import type { z } from 'zod';
import type { Logger } from '../observability/logger';
import { isStorageUnavailable } from '../storage/clients';
import { EXPOSE_HEADERS } from './cors';
import { ApiError, fromQueryIssues } from './errors';
import { toJson } from './json';
import { PROBLEM_CONTENT_TYPE, problemOf, type ProblemCode } from './problem';

/**
 * The HTTP API without trigger plumbing: an endpoint takes the request (its URL and headers) and
 * answers status, headers and body text (the shape of an HttpResponseInit), so functions/ stay
 * one-liners and the tests and the benchmark call the same code the host does.
 */

/** What an endpoint reads of a request; the host's HttpRequest is one. */
export interface ApiRequest {
  /** The full URL as the host received it (query included). */
  url: string;
  headers: { get(name: string): string | null };
}

/**
 * What an endpoint of one resource reads of a request besides its URL and headers: the method
 * (several per function), the route parameters and the body. The host's HttpRequest is one.
 */
export interface ResourceRequest extends ApiRequest {
  method: string;
  params: Record<string, string | undefined>;
  body: AsyncIterable<Uint8Array> | null;
}

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
  /** The success body: a schema with a `meta({ id })`, so that it is a named component. */
  response?: z.ZodType;
  /** The success body's media types when it is not JSON (a file download); `response` is then not used. */
  responseMediaTypes?: Record<string, string>;
  /**
   * The success status when it is not 200 (201 Created, 202 Accepted, 204 No Content: no body), or every success
   * status when there are several (PUT: `[201, 200]`, created or replaced; each with `response`).
   */
  okStatus?: OkStatus | readonly OkStatus[];
  /** Error statuses the endpoint answers, with why (each has the problem body; shared/api/openapi.ts ERROR_RESPONSES names them). */
  errors?: Record<number, string>;
  /** GET answers are conditional (ETag, 304) unless `no-store` (health, downloads). */
  cache?: 'revalidate' | 'no-store';
  /**
   * What differs by method when one function takes several (GET/PUT/DELETE of one resource): each
   * method's operation is the doc with these members replaced (its own `okStatus`, `errors`, …).
   */
  methods?: Partial<Record<string, Omit<Partial<ApiDoc>, 'methods'>>>;
}

export type OkStatus = 200 | 201 | 202 | 204;

/** The doc of one method of an endpoint: its `methods` entry over the rest. */
export function methodDoc(doc: ApiDoc, method: string): Omit<ApiDoc, 'methods'> {
  const { methods, ...common } = doc;
  return { ...common, ...methods?.[method.toUpperCase()] };
}

/** The function key may ride in the query (`?code=`); the host consumes it, the API ignores it. */
const HOST_PARAMETERS = new Set(['code']);

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'access-control-expose-headers': EXPOSE_HEADERS,
      ...headers,
    },
    body: toJson(value),
  };
}

/** An RFC 9457 problem answer; `correlationId` names the occurrence (`instance`). */
export function problemResponse(
  status: number,
  code: ProblemCode,
  detail: string,
  correlationId: string,
  extensions: Record<string, unknown> = {},
): ApiResponse {
  const response = jsonResponse(status, problemOf(code, status, detail, correlationId, extensions));
  return { ...response, headers: { ...response.headers, 'content-type': PROBLEM_CONTENT_TYPE } };
}

const errorResponse = (error: ApiError, correlationId: string) =>
  problemResponse(error.status, error.code, error.message, correlationId, error.extensions);

/** A request for an endpoint called in-process (benchmarks, tests): its path below the host, query and headers. */
export function requestFor(
  path: string,
  query: Record<string, string> | URLSearchParams,
  headers: Record<string, string> = {},
  origin = 'http://localhost',
): ApiRequest {
  return { url: `${origin}${path}?${new URLSearchParams(query).toString()}`, headers: new Headers(headers) };
}

/** The request's query parameters, as in its URL (a repeated one as often as it was sent). */
const queryOf = (request: ApiRequest): URLSearchParams => new URL(request.url).searchParams;

/** Validates the query with the endpoint's schema: every parameter once, none unknown. */
export function parseQuery<S extends z.ZodObject>(schema: S, request: ApiRequest): z.output<S> {
  const values: Record<string, string> = {};
  for (const [name, value] of queryOf(request)) {
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
export function storageUnavailableResponse(correlationId: string, extensions: Record<string, unknown> = {}) {
  const response = problemResponse(
    503,
    'ServiceUnavailable',
    'storage is unavailable; try again later',
    correlationId,
    {
      correlationId,
      ...extensions,
    },
  );
  return { ...response, headers: { ...response.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } };
}

/**
 * Runs an endpoint (whose answer may also be a streamed file, `R`): ApiErrors become their problem answer;
 * storage down or slow becomes a 503 with
 * Retry-After; anything else is logged and becomes a 500. Both carry the correlation id, never the
 * internal message.
 */
export async function runEndpoint<R = ApiResponse>(logger: Logger, work: () => Promise<R>): Promise<R | ApiResponse> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e, logger.correlationId);
    if (isStorageUnavailable(e)) {
      logger.error('storage unavailable', { error: (e as Error).message });
      return storageUnavailableResponse(logger.correlationId);
    }
    logger.error('request failed', { error: (e as Error).message, stack: (e as Error).stack ?? null });
    return problemResponse(500, 'InternalError', 'internal error; the logs have the details', logger.correlationId, {
      correlationId: logger.correlationId,
    });
  }
}
