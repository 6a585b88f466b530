import type { Readable } from 'node:stream';
import type { HttpHeaders, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { Settings } from '../config/settings';
import { redact } from '../observability/redact';
import { attemptPolicy, attemptsMade, streamStatuses } from './attemptPolicy';
import { endpointOf } from './endpoint';
import { restPipeline } from './restPipeline';
import { backoffStrategy, retryAfterStrategy } from './retryStrategies';
import { releaseWhenDone, takeUpstreamSlot } from './upstreamSlots';

/**
 * Every call to an upstream service (Partner Center, its token endpoint, the Retail Prices API)
 * goes through here, so timeouts, retries and body checks are the same everywhere. The retry
 * loop is the SDK's `retryPolicy`; see retryStrategies and attemptPolicy for what is added.
 */

export interface HttpTuning {
  /** Per attempt: longest wait for the response headers. */
  timeoutMs: number;
  /** Longest silence of a server while its body is being read. */
  idleTimeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

function tuningFromSettings(settings: Settings): HttpTuning {
  return {
    timeoutMs: settings.HTTP_TIMEOUT_SECONDS * 1000,
    // No separate setting: a server silent for as long as a whole response may take is gone.
    idleTimeoutMs: settings.HTTP_TIMEOUT_SECONDS * 1000,
    maxRetries: settings.HTTP_MAX_RETRIES,
    retryDelayMs: settings.HTTP_RETRY_DELAY_MS,
    maxRetryDelayMs: settings.HTTP_MAX_RETRY_DELAY_MS,
  };
}

export interface UpstreamRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

interface ResponseHead {
  status: number;
  headers: HttpHeaders;
  /** Attempts made, retries included. */
  attempts: number;
}

export interface BufferedResponse extends ResponseHead {
  text: string;
}

/** A 2xx answer hands over its body as a stream; anything else comes buffered, to be reported. */
export type StreamedResponse = (ResponseHead & { ok: true; body: Readable }) | (BufferedResponse & { ok: false });

export interface UpstreamHttp {
  /** The final response after retries, whatever its status; throws UpstreamHttpError when no response came. */
  send(request: UpstreamRequest): Promise<BufferedResponse>;
  /** As send, but a 2xx body is streamed: it errors on an idle server or a cut-off body. */
  stream(request: UpstreamRequest): Promise<StreamedResponse>;
}

/**
 * An upstream call that failed for good. The message names the endpoint, never credentials: it is
 * redacted here because it may quote a response body or a network error's URL.
 */
export class UpstreamHttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(redact(message));
    this.name = 'UpstreamHttpError';
  }
}

const SUCCESS = new Set([200, 201, 202, 203, 206]);

export function createUpstreamHttp(settings: Settings, tuning: Partial<HttpTuning> = {}): UpstreamHttp {
  const limits = { ...tuningFromSettings(settings), ...tuning };
  const backoff = { retryDelayMs: limits.retryDelayMs, maxRetryDelayMs: limits.maxRetryDelayMs };
  const {
    createDefaultHttpClient,
    createEmptyPipeline,
    createHttpHeaders,
    createPipelineRequest,
    retryPolicy,
    userAgentPolicy,
  } = restPipeline();
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(userAgentPolicy({ userAgentPrefix: 'csp-pricing-functions' }));
  pipeline.addPolicy(
    retryPolicy([retryAfterStrategy(backoff), backoffStrategy(backoff)], { maxRetries: limits.maxRetries }),
  );
  pipeline.addPolicy(attemptPolicy(limits));
  const client = createDefaultHttpClient();

  async function run(
    request: UpstreamRequest,
    streamed: ReadonlySet<number>,
  ): Promise<{ pipelineRequest: PipelineRequest; response: PipelineResponse }> {
    const pipelineRequest = createPipelineRequest({
      url: request.url,
      method: request.method ?? 'GET',
      headers: createHttpHeaders(request.headers),
      body: request.body,
      abortSignal: request.signal,
      allowInsecureConnection: isLoopback(request.url),
    });
    streamStatuses(pipelineRequest, streamed);
    try {
      return { pipelineRequest, response: await pipeline.sendRequest(client, pipelineRequest) };
    } catch (error) {
      throw giveUp(request, pipelineRequest, error);
    }
  }

  const slot = (request: UpstreamRequest) => takeUpstreamSlot(request.url, settings.UPSTREAM_MAX_CONCURRENCY);

  return {
    async send(request) {
      const release = await slot(request);
      try {
        const { pipelineRequest, response } = await run(request, new Set());
        return { ...head(response, pipelineRequest), text: response.bodyAsText ?? '' };
      } finally {
        release();
      }
    },
    async stream(request) {
      const release = await slot(request);
      try {
        const { pipelineRequest, response } = await run(request, SUCCESS);
        if (response.readableStreamBody) {
          const body = response.readableStreamBody as Readable;
          releaseWhenDone(body, release);
          return { ok: true, ...head(response, pipelineRequest), body };
        }
        release();
        return { ok: false, ...head(response, pipelineRequest), text: response.bodyAsText ?? '' };
      } catch (e) {
        release();
        throw e;
      }
    },
  };
}

function head(response: PipelineResponse, request: PipelineRequest): ResponseHead {
  return { status: response.status, headers: response.headers, attempts: attemptsMade(request) };
}

/**
 * Plain http only to this machine (the test fakes); a mistyped http:// base URL must not send a
 * bearer token or a client secret in clear over the network.
 */
function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function giveUp(request: UpstreamRequest, pipelineRequest: PipelineRequest, error: unknown): Error {
  if (request.signal?.aborted) return new UpstreamHttpError(`${endpointOf(request.url)}: cancelled`);
  const attempts = attemptsMade(pipelineRequest);
  const reason = error instanceof Error ? error.message : String(error);
  return new UpstreamHttpError(
    `${endpointOf(request.url)}: ${reason} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
  );
}

/** Characters of an error body kept in the message. */
const EXCERPT_LENGTH = 300;
/**
 * Redacted before it is cut: a secret cut in half is no longer recognised. Only this much of the
 * body is read, so a huge error page costs little; whatever straddles its end is cut off anyway.
 */
const REDACTED_PREFIX_LENGTH = 4096;

/** The error for a final non-success answer, with the start of its body (Partner Center explains itself there). */
export function statusError(what: string, response: BufferedResponse): UpstreamHttpError {
  const excerpt = redact(response.text.slice(0, REDACTED_PREFIX_LENGTH))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, EXCERPT_LENGTH);
  const retried = response.attempts > 1 ? ` after ${response.attempts} attempts` : '';
  return new UpstreamHttpError(
    `${what} answered HTTP ${response.status}${retried}${excerpt ? `: ${excerpt}` : ''}`,
    response.status,
  );
}
