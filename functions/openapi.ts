import type { HttpResponseInit } from '@azure/functions';
import { httpFunction, registeredFunctions } from '../runtime/registry';
import { jsonResponse } from '../shared/api/endpoint';
import { openApiDocument } from '../shared/api/openapi';

const INFO = {
  title: 'CSP pricing functions',
  version: '1',
  description: 'Azure plan and license-based price lookups, price changes and exchange rates for partner portals.',
};

/** Built on first request: by then every function module has registered. */
let document: HttpResponseInit | undefined;

export async function openapiHandler(): Promise<HttpResponseInit> {
  document ??= jsonResponse(
    200,
    openApiDocument(
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
    ),
  );
  return document;
}

httpFunction(
  'openapi',
  { methods: ['GET'], authLevel: 'anonymous', route: 'openapi.json', handler: openapiHandler },
  {
    summary: 'This document (OpenAPI 3.1)',
    description:
      'Generated from the registrations of the HTTP functions and the zod schemas that validate their requests.',
  },
);
