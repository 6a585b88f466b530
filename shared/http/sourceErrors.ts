import { PassThrough, type Readable } from 'node:stream';

/** What a failed download was for: a market and a view of it (`US`, `azure_consumption`). */
export interface SourceSubject {
  readonly market: string;
  readonly view: string;
}

/** A source gave up (after its retries, or at once on a request it cannot serve): names the market and view. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly request: SourceSubject,
    readonly status?: number,
  ) {
    super(`${request.market}/${request.view}: ${message}`);
    this.name = 'SourceError';
  }
}

/** Wraps any failure of a source in a SourceError naming the market and view (status kept when there is one). */
export function asSourceError(error: unknown, request: SourceSubject): SourceError {
  if (error instanceof SourceError) return error;
  const status = (error as { status?: unknown }).status;
  return new SourceError(
    error instanceof Error ? error.message : String(error),
    request,
    typeof status === 'number' ? status : undefined,
  );
}

/**
 * A download's body whose late failures (idle server, cut-off body, a page that will not come)
 * reach the reader as SourceErrors too, like the failures before the first byte.
 */
export function reportingAs(request: SourceSubject, body: Readable): Readable {
  const out = new PassThrough();
  body.on('error', (error) => out.destroy(asSourceError(error, request)));
  // A reader that gives up (or fails) must not leave the connection open.
  out.on('close', () => body.destroy());
  return body.pipe(out);
}
