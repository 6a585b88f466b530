/** The HTTP status of a storage SDK error (RestError from any Azure package), if any. */
export function statusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The table, entity, container or blob is not there (HTTP 404). */
export function isNotFound(e: unknown): boolean {
  return statusOf(e) === 404;
}

/** What a storage call answers, or null when what it reads is not there; other failures are thrown. */
export async function ifFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}
