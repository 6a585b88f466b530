import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { Readable } from 'node:stream';
import { endpointOf } from './endpoint';
import { BodyError, guardBody, readAll } from './guardedBody';
import { restPipeline } from './restPipeline';

export interface AttemptLimits {
  /** Longest wait for the status line and headers of one attempt. */
  timeoutMs: number;
  /** Longest silence while a body is being read. */
  idleTimeoutMs: number;
}

/** Statuses whose body the caller reads as a stream; every other body is read here, within the attempt. */
const callerStreams = new WeakMap<PipelineRequest, ReadonlySet<number>>();
const attemptCounts = new WeakMap<PipelineRequest, number>();

export function streamStatuses(request: PipelineRequest, statuses: ReadonlySet<number>): void {
  callerStreams.set(request, statuses);
}

export function attemptsMade(request: PipelineRequest): number {
  return attemptCounts.get(request) ?? 0;
}

const EVERY_STATUS = new Set([Number.POSITIVE_INFINITY]);

/**
 * Sits between the SDK's retry policy and the transport, so it runs once per attempt: a timeout
 * until the headers arrive, then the body guard (idle timeout, truncation). A buffered body (an
 * error page, a token, a JSON page) is read inside the attempt, so a stalled or cut-off body is
 * retried like a reset connection; the SDK's transport would otherwise read it without any limit.
 * Failures carry the error codes the retry strategies treat as transient.
 */
export function attemptPolicy(limits: AttemptLimits): PipelinePolicy {
  return {
    name: 'attempt',
    async sendRequest(request, next) {
      attemptCounts.set(request, attemptsMade(request) + 1);
      const callerSignal = request.abortSignal;
      const attempt = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, limits.timeoutMs);
      const cancel = () => attempt.abort();
      if (callerSignal?.aborted) attempt.abort();
      callerSignal?.addEventListener('abort', cancel);
      const unlink = () => callerSignal?.removeEventListener('abort', cancel);
      request.abortSignal = attempt.signal;
      request.streamResponseStatusCodes = EVERY_STATUS;
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (error) {
        unlink();
        if (timedOut) throw restError(`no response within ${limits.timeoutMs} ms`, 'ETIMEDOUT', request);
        throw error;
      } finally {
        clearTimeout(timer);
        // The retry policy and the caller look at the request after this attempt: give it back as it came.
        request.abortSignal = callerSignal;
        request.streamResponseStatusCodes = undefined;
      }
      return guardResponse(request, response, limits, unlink);
    },
  };
}

/** `release` unhooks the caller's cancel signal once the body is done with (a streamed body stays cancellable). */
async function guardResponse(
  request: PipelineRequest,
  response: PipelineResponse,
  limits: AttemptLimits,
  release: () => void,
): Promise<PipelineResponse> {
  const raw = response.readableStreamBody;
  if (!raw) {
    release();
    return response;
  }
  const body = guardBody(raw as Readable, {
    idleTimeoutMs: limits.idleTimeoutMs,
    expectedBytes: declaredLength(response),
    what: `${request.method} ${endpointOf(request.url)}`,
  });
  if (callerStreams.get(request)?.has(response.status)) {
    body.once('close', release);
    return { ...response, readableStreamBody: body };
  }
  try {
    const text = (await readAll(body)).toString('utf8');
    return { ...response, readableStreamBody: undefined, bodyAsText: text };
  } catch (error) {
    if (error instanceof BodyError) throw restError(error.message, error.code, request);
    throw error;
  } finally {
    release();
  }
}

/**
 * Content-Length counts the bytes on the wire; when the transport has undone a Content-Encoding
 * the count no longer applies (a cut-off compressed body still fails, in the inflater).
 */
function declaredLength(response: PipelineResponse): number | undefined {
  if (response.headers.get('content-encoding')) return undefined;
  const value = response.headers.get('content-length');
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** A RestError: the only kind of error the SDK's retry policy hands to the retry strategies (others end the call). */
function restError(message: string, code: string, request: PipelineRequest): Error {
  return new (restPipeline().RestError)(message, { code, request });
}
