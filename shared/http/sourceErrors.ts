import { PassThrough, type Readable } from 'node:stream';
import { SourceError, type PriceSheetRequest } from '../prices/sources/source';

/** Wraps any failure of a source in a SourceError naming the market and view (status kept when there is one). */
export function asSourceError(error: unknown, request: PriceSheetRequest): SourceError {
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
export function reportingAs(request: PriceSheetRequest, body: Readable): Readable {
  const out = new PassThrough();
  body.on('error', (error) => out.destroy(asSourceError(error, request)));
  // A reader that gives up (or fails) must not leave the connection open.
  out.on('close', () => body.destroy());
  return body.pipe(out);
}
