import { z } from 'zod';
import type { ApiDoc } from './endpoint';
import { routeSegments } from './route';
import { errorResponseSchema } from './schemas';

/**
 * The OpenAPI 3.1 document of every HTTP function, built from the registry's records and the same
 * zod schemas that validate the requests (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect).
 */

export interface HttpEndpoint {
  name: string;
  route: string;
  methods: readonly string[];
  authLevel?: string;
  doc?: ApiDoc;
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * A body schema for the document: schemas named with `.meta({ id })` (zod puts them in `$defs`) become
 * components, referenced as `#/components/schemas/<id>`.
 */
function bodySchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const { $defs, ...rest } = jsonSchema(schema, io);
  const relink = (value: JsonSchema) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>))
    components[id] = relink(definition);
  return relink(rest);
}

function queryParameters(query: z.ZodObject): JsonSchema[] {
  return Object.entries(query.shape).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType, 'input');
    return {
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      schema,
    };
  });
}

/** A Functions route as an OpenAPI path; its parameters (constraints dropped) are path parameters. */
function pathOf(route: string): { path: string; parameters: JsonSchema[] } {
  const segments = routeSegments(route);
  const path = segments.map((s) => ('literal' in s ? s.literal : `{${s.parameter}}`)).join('/');
  const parameters = segments.flatMap((s) =>
    'parameter' in s ? [{ name: s.parameter, in: 'path', required: true, schema: { type: 'string' } }] : [],
  );
  return { path: `/api/${path}`, parameters };
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function operation(
  endpoint: HttpEndpoint,
  method: string,
  pathParameters: JsonSchema[],
  components: Record<string, JsonSchema>,
): JsonSchema {
  const doc = endpoint.doc;
  const responses: Record<string, JsonSchema> = {
    '200': doc?.responseMediaTypes
      ? {
          description: 'OK',
          content: Object.fromEntries(
            Object.entries(doc.responseMediaTypes).map(([type, description]) => [
              type,
              { schema: { type: 'string', format: 'binary', description } },
            ]),
          ),
        }
      : doc?.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: bodySchema(doc.response, 'output', components) } },
          }
        : { description: 'OK (no schema is published for this function)' },
  };
  for (const [status, description] of Object.entries(doc?.errors ?? {}))
    responses[status] = { description, content: errorContent };
  if (endpoint.authLevel !== 'anonymous')
    responses['401'] = { description: 'A function key is required (x-functions-key header or code query parameter).' };
  responses['500'] = {
    description: 'Internal error (details in the logs, found by the correlation id).',
    content: errorContent,
  };
  return {
    operationId: endpoint.methods.length > 1 ? `${endpoint.name}_${method.toLowerCase()}` : endpoint.name,
    summary: doc?.summary ?? endpoint.name,
    ...(doc?.description ? { description: doc.description } : {}),
    parameters: [...pathParameters, ...(doc?.query ? queryParameters(doc.query) : [])],
    ...(doc?.requestBody && method !== 'GET' && method !== 'DELETE'
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: bodySchema(doc.requestBody, 'input', components) } },
          },
        }
      : {}),
    ...(endpoint.authLevel === 'anonymous' ? { security: [] } : {}),
    responses,
  };
}

export function openApiDocument(
  endpoints: readonly HttpEndpoint[],
  info: { title: string; version: string; description?: string },
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const components: Record<string, JsonSchema> = {};
  for (const endpoint of [...endpoints].sort((a, b) => a.route.localeCompare(b.route))) {
    const { path, parameters } = pathOf(endpoint.route);
    const item = (paths[path] ??= {});
    for (const method of endpoint.methods)
      item[method.toLowerCase()] = operation(endpoint, method, parameters, components);
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/', description: 'This function app (npm start: http://localhost:7071)' }],
    security: [{ functionKey: [] }, { functionKeyQuery: [] }],
    paths,
    components: {
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
      schemas: { ...components, Error: jsonSchema(errorResponseSchema, 'output') },
    },
  };
}
