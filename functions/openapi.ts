import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { httpFunction, registeredFunctions } from '../runtime/registry';
import { conditionalJson } from '../shared/api/caching';
import { openApiDocument, openApiDocumentSchema } from '../shared/api/openapi';

const INFO = {
  title: 'CSP pricing functions',
  version: '1',
  description: 'Azure plan and license-based price lookups, price changes and exchange rates for partner portals.',
  license: { name: 'MIT', identifier: 'MIT' },
};

/** Built on first request: by then every function module has registered. */
let document: Record<string, unknown> | undefined;

export function openapiHandler(request: HttpRequest): Promise<HttpResponseInit> {
  document ??= openApiDocument(
    registeredFunctions().flatMap((r) =>
      r.kind === 'http'
        ? [
            {
              name: r.name,
              route: r.options.route,
              methods: r.options.methods,
              authLevel: r.options.authLevel,
              doc: r.doc,
            },
          ]
        : [],
    ),
    INFO,
  );
  const built = document;
  // Its ETag is the document itself: it changes only with a deployment.
  return conditionalJson(request, { validator: ['openapi', built] }, async () => built);
}

httpFunction(
  'openapi',
  { methods: ['GET'], authLevel: 'anonymous', route: 'openapi.json', handler: openapiHandler },
  {
    summary: 'This document (OpenAPI 3.1)',
    description:
      'Generated from the registrations of the HTTP functions and the zod schemas that validate their requests.',
    response: openApiDocumentSchema,
  },
);
