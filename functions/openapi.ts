import { httpFunction, registeredFunctions } from '../runtime/registry';

const INFO = {
  title: 'CSP pricing functions',
  version: '1',
  description: 'Azure plan and license-based price lookups, price changes and exchange rates for partner portals.',
  license: { name: 'MIT', identifier: 'MIT' },
};

/** Every HTTP function as the document describes it: by the first request every function module has registered. */
const documented = () =>
  Promise.all(
    registeredFunctions().flatMap((r) =>
      r.kind === 'http'
        ? [
            r.doc().then((doc) => {
              const { route, methods, authLevel } = r.options;
              return { name: r.name, route, methods, authLevel, doc };
            }),
          ]
        : [],
    ),
  );

httpFunction('openapi', { methods: ['GET'], authLevel: 'anonymous', route: 'openapi.json' }, async () => {
  const [{ conditionalJson }, { openApiDocument, openApiDocumentSchema }] = await Promise.all([
    import('../shared/api/caching'),
    import('../shared/api/openapi'),
  ]);
  let document: Promise<Record<string, unknown>> | undefined;
  return {
    doc: {
      summary: 'This document (OpenAPI 3.1)',
      description:
        'Generated from the registrations of the HTTP functions and the zod schemas that validate their requests.',
      response: openApiDocumentSchema,
    },
    handler: async (request) => {
      const built = await (document ??= documented().then((endpoints) => openApiDocument(endpoints, INFO)));
      // Its ETag is the document itself: it changes only with a deployment.
      return conditionalJson(request, { validator: ['openapi', built] }, async () => built);
    },
  };
});
