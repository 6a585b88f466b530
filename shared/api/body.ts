import type { z } from 'zod';
import { ApiError, fromBodyIssues } from './errors';

/**
 * A request body as text, refused with 413 as soon as it passes `limitBytes` (counted in bytes, read
 * in chunks; before reading when Content-Length is larger already): bodies are streamed
 * (enableHttpStream), so nothing past the limit is ever held in memory.
 */
export async function readBodyText(
  body: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null,
  limitBytes: number,
): Promise<string> {
  const tooLarge = () =>
    new ApiError(413, 'PayloadTooLarge', `The body is larger than ${limitBytes} bytes`, { limitBytes });
  if (Number(declaredLength) > limitBytes) throw tooLarge();
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON request body validated with `schema`: 400 InvalidBody for JSON that does not parse, naming the field otherwise. */
export async function readJsonBody<S extends z.ZodType>(
  schema: S,
  body: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null,
  limitBytes: number,
): Promise<z.output<S>> {
  const text = await readBodyText(body, declaredLength, limitBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'InvalidBody', 'The body must be JSON (it does not parse)', { field: 'body' });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromBodyIssues(parsed.error.issues);
  return parsed.data;
}
