/** Where a request went, for messages: origin and path, no query string (a SAS or a code could ride in one). */
export function endpointOf(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}
