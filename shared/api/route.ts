/**
 * Azure Functions route templates (`prices`, `prices/{id}`, `items/{name:int?}`), read in one
 * place for the OpenAPI document (shared/api/openapi) and the local runner's routing
 * (runtime/localRunner). Constraints are not checked: a parameter matches any one segment.
 */

export type RouteSegment = { literal: string } | { parameter: string };

/** `{name}`, `{name:constraint}` and `{name?}` are parameters; any other segment is literal text. */
const PARAMETER = /^\{(\w+)(?::[^}]*)?\??\}$/;

export function routeSegments(template: string): RouteSegment[] {
  return template.split('/').map((part) => {
    const m = PARAMETER.exec(part);
    return m ? { parameter: m[1] } : { literal: part };
  });
}

/**
 * The parameters of a path (below /api/, no leading slash) that the template matches, or null.
 * Literal segments compare case-insensitively, as under the Functions host; values are URI-decoded.
 */
export function matchRoute(template: string, pathname: string): Record<string, string> | null {
  const segments = routeSegments(template);
  const pattern = segments
    .map((s) => ('literal' in s ? s.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '([^/]+)'))
    .join('/');
  const match = new RegExp(`^${pattern}$`, 'i').exec(pathname);
  if (!match) return null;
  const names = segments.flatMap((s) => ('parameter' in s ? [s.parameter] : []));
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
}
