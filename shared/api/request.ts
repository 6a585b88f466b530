import { ApiError } from './errors';

/** What an endpoint with route parameters or a body reads of a request (runtime/httpRequest.ts builds it). */
export interface EndpointRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: AsyncIterable<Uint8Array> | null;
  contentLength: string | null;
}

/** A request body as text, refused (413) as soon as it passes the limit (counted in bytes, read in chunks). */
export async function readBody(
  body: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null,
  maxBytes: number,
): Promise<string> {
  const tooLarge = () =>
    new ApiError(413, 'PayloadTooLarge', `The body is larger than ${maxBytes} bytes`, { limitBytes: maxBytes });
  if (Number(declaredLength) > maxBytes) throw tooLarge();
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
