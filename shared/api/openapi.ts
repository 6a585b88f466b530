import { z } from 'zod';
import { methodDoc, type ApiDoc, type OkStatus } from './endpoint';
import { PROBLEM_CONTENT_TYPE, PROBLEM_SCHEMA_ID } from './problem';
import { routeSegments } from './route';

/**
 * The OpenAPI 3.1 document of every HTTP function, built from the registry's records and the same
 * zod schemas that validate the requests and describe the answers (JSON Schema 2020-12 is OpenAPI
 * 3.1's schema dialect). Every zod schema with `.meta({ id })` is a named component
 * (`#/components/schemas/<id>`): the 200 body of each endpoint, the problem body of every error.
 * Errors and 304 are named responses (`#/components/responses/…`) that operations refer to.
 */

export interface HttpEndpoint {
  name: string;
  route: string;
  methods: readonly string[];
  authLevel?: string;
  doc?: ApiDoc;
}

type JsonSchema = Record<string, unknown>;

const componentRef = (id: string) => `#/components/schemas/${id}`;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Every schema with an id, each once, referring to the others by `$ref`. */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { io: 'output', unrepresentable: 'any', uri: componentRef });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

/** The named response of each error status (its body is a Problem) and its default description. */
const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'A parameter or the body is invalid (see `code` and `parameter`).' },
  401: { name: 'Unauthorized', description: 'A function key is required (x-functions-key header or code parameter).' },
  404: { name: 'NotFound', description: 'Nothing is stored for what was asked, or no such endpoint (see `code`).' },
  413: { name: 'PayloadTooLarge', description: 'The request body is too large.' },
  422: { name: 'UnprocessableContent', description: 'The request is valid but cannot be answered (see `code`).' },
  500: { name: 'InternalError', description: 'Internal error; `correlationId` finds the log lines.' },
  503: { name: 'ServiceUnavailable', description: 'Storage is unavailable; retry after Retry-After seconds.' },
};

const header = (description: string, schema: JsonSchema = { type: 'string' }) => ({ description, schema });

function componentResponses(): Record<string, JsonSchema> {
  const problem = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: componentRef(PROBLEM_SCHEMA_ID) } } };
  const responses: Record<string, JsonSchema> = {
    NotModified: {
      description: 'Not modified: the If-None-Match holds the current ETag (no body).',
      headers: {
        ETag: { $ref: '#/components/headers/ETag' },
        'Cache-Control': { $ref: '#/components/headers/CacheControl' },
      },
    },
  };
  for (const [status, { name, description }] of Object.entries(ERROR_RESPONSES))
    responses[name] = {
      description,
      ...(status === '503' ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
      content: problem,
    };
  return responses;
}

/** A body's schema: a reference to its component when it has an id, else inline. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = schema.meta()?.id;
  return id ? { $ref: componentRef(id) } : jsonSchema(schema, io);
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

const OK_DESCRIPTIONS: Record<OkStatus, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

/** The success statuses of an operation, in the order documented (200 unless `okStatus` says otherwise). */
const okStatuses = (doc: ApiDoc | undefined): readonly OkStatus[] =>
  doc?.okStatus === undefined ? [200] : typeof doc.okStatus === 'number' ? [doc.okStatus] : doc.okStatus;

function okResponse(doc: ApiDoc | undefined, method: string, status: OkStatus): JsonSchema {
  if (status === 204) return { description: OK_DESCRIPTIONS[204] };
  const description = OK_DESCRIPTIONS[status];
  const cacheControl = { 'Cache-Control': { $ref: '#/components/headers/CacheControl' } };
  const headers =
    method !== 'GET'
      ? {}
      : doc?.cache === 'no-store'
        ? cacheControl
        : { ETag: { $ref: '#/components/headers/ETag' }, ...cacheControl };
  if (doc?.responseMediaTypes)
    return {
      description,
      headers,
      content: Object.fromEntries(
        Object.entries(doc.responseMediaTypes).map(([type, about]) => [
          type,
          { schema: { type: 'string', format: 'binary', description: about } },
        ]),
      ),
    };
  if (!doc?.response) return { description: `${description} (no schema is published for this function)` };
  return {
    description,
    headers,
    content: { 'application/json': { schema: schemaOf(doc.response, 'output') } },
  };
}

function operation(endpoint: HttpEndpoint, method: string, pathParameters: JsonSchema[]): JsonSchema {
  const doc = endpoint.doc && methodDoc(endpoint.doc, method);
  const conditional = method === 'GET' && doc?.cache !== 'no-store';
  const errors: Record<number, string | undefined> = { ...(doc?.errors ?? {}) };
  if (doc?.query && !(400 in errors)) errors[400] = undefined;
  if (endpoint.authLevel !== 'anonymous') errors[401] ??= undefined;
  errors[500] ??= undefined;
  const responses: Record<string, JsonSchema> = Object.fromEntries(
    okStatuses(doc).map((status) => [String(status), okResponse(doc, method, status)]),
  );
  if (conditional) responses['304'] = { $ref: '#/components/responses/NotModified' };
  for (const [status, description] of Object.entries(errors)) {
    const named = ERROR_RESPONSES[Number(status)];
    if (!named) throw new Error(`${endpoint.name}: status ${status} needs a named response in ERROR_RESPONSES`);
    responses[status] = { $ref: `#/components/responses/${named.name}`, ...(description ? { description } : {}) };
  }
  return {
    operationId: endpoint.methods.length > 1 ? `${endpoint.name}_${method.toLowerCase()}` : endpoint.name,
    summary: doc?.summary ?? endpoint.name,
    ...(doc?.description ? { description: doc.description } : {}),
    parameters: [
      ...pathParameters,
      ...(doc?.query ? queryParameters(doc.query) : []),
      ...(conditional ? [{ $ref: '#/components/parameters/IfNoneMatch' }] : []),
    ],
    ...(doc?.requestBody && method !== 'GET' && method !== 'DELETE'
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(doc.requestBody, 'input') } },
          },
        }
      : {}),
    ...(endpoint.authLevel === 'anonymous' ? { security: [] } : {}),
    responses,
  };
}

export function openApiDocument(
  endpoints: readonly HttpEndpoint[],
  info: { title: string; version: string; description?: string; license?: { name: string; identifier: string } },
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const endpoint of [...endpoints].sort((a, b) => a.route.localeCompare(b.route))) {
    const { path, parameters } = pathOf(endpoint.route);
    const item = (paths[path] ??= {});
    for (const method of endpoint.methods) item[method.toLowerCase()] = operation(endpoint, method, parameters);
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
      schemas: componentSchemas(),
      responses: componentResponses(),
      parameters: {
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'The ETag of an answer kept: 304 Not Modified while the data it was read from is unchanged.',
          schema: { type: 'string' },
        },
      },
      headers: {
        ETag: header('Weak validator of the data the answer was read from (W/"…").'),
        CacheControl: header(
          '`private, no-cache` (keep, revalidate with If-None-Match), or `no-store` (health, file downloads).',
        ),
        RetryAfter: header('Seconds to wait before retrying.', { type: 'integer', minimum: 0 }),
      },
    },
  };
}

export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document (this one).' });
