/**
 * CORS. In Azure the platform answers preflights and adds Access-Control-Allow-Origin for the
 * origins of the function app's CORS setting (infra: siteConfig.cors, from CORS_ALLOWED_ORIGINS);
 * it has no setting for exposed headers, so every answer of the API names them itself
 * (EXPOSE_HEADERS, harmless without an allowed origin). The local runner plays the platform's part
 * with `corsHeaders`; the functions never add Allow-* headers, so nothing is doubled in Azure.
 */

/** Response headers a page on another origin may read besides the CORS-safelisted ones. */
export const EXPOSE_HEADERS = 'ETag, Retry-After';
/** Request headers a preflight allows: the function key, conditional GETs, a JSON body. */
const ALLOW_HEADERS = 'Content-Type, If-None-Match, x-functions-key';
const ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
/** How long a browser may keep a preflight's answer (seconds). */
const MAX_AGE_SECONDS = 600;

/** `*` allows any origin; otherwise exact origins (`https://portal.example.com`, no path). */
export function originAllowed(origin: string | null, allowed: readonly string[]): origin is string {
  return origin !== null && (allowed.includes('*') || allowed.includes(origin));
}

/**
 * The CORS headers of an answer to `origin`: none for a request without Origin or from an origin
 * not allowed; for a preflight (OPTIONS with Access-Control-Request-Method) also the Allow-*
 * headers and Max-Age. `Vary: Origin` whenever the answer depends on the origin.
 */
export function corsHeaders(
  request: { origin: string | null; preflight: boolean },
  allowed: readonly string[],
): Record<string, string> {
  if (allowed.length === 0) return {};
  const vary: Record<string, string> = allowed.includes('*') ? {} : { vary: 'Origin' };
  if (!originAllowed(request.origin, allowed)) return vary;
  const base = { ...vary, 'access-control-allow-origin': allowed.includes('*') ? '*' : request.origin };
  if (!request.preflight) return { ...base, 'access-control-expose-headers': EXPOSE_HEADERS };
  return {
    ...base,
    'access-control-allow-methods': ALLOW_METHODS,
    'access-control-allow-headers': ALLOW_HEADERS,
    'access-control-max-age': String(MAX_AGE_SECONDS),
  };
}
