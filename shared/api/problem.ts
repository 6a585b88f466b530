import { z } from 'zod';

/**
 * RFC 9457 problem details: the body of every answer other than 2xx and 304. Each stable `code` is
 * a problem type with one URI and one title; `detail` says what happened this time, `instance`
 * names the occurrence (`urn:uuid:<correlation id>`, the id the log lines carry).
 */

/** Every problem type of the API and its title. A new error code of any endpoint is added here. */
export const PROBLEM_TYPES = {
  InvalidParameter: 'A query parameter is invalid',
  UnknownParameter: 'A query parameter is not known',
  InvalidFilter: 'The $filter expression cannot be used',
  DuplicateParameter: 'A query parameter is given more than once',
  InvalidContinuationToken: 'The continuation token cannot be used',
  InvalidBody: 'The request body is not what the endpoint takes',
  BadRequest: 'The request is malformed',
  Unauthorized: 'A key is required',
  NotFound: 'No such endpoint',
  MarketNotFound: 'No prices are stored for this market and view',
  SnapshotNotFound: 'No price snapshot for a compared date',
  RateNotFound: 'No exchange rate in force',
  RuleNotFound: 'No price rule with this id',
  SubscriptionNotFound: 'No subscription with this id',
  EventNotFound: 'No event of this subscription with this id',
  DigestNotFound: 'No digest of this subscription and day',
  ItemNotFound: 'A quote line names no price in force',
  AmbiguousItem: 'A quote line names several prices',
  MixedCurrencies: "The quote's lines are priced in several currencies",
  MethodNotAllowed: 'The endpoint does not take this method',
  PayloadTooLarge: 'The request body is too large',
  InternalError: 'Internal error',
  ServiceUnavailable: 'Storage is unavailable',
} as const;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * `InvalidParameter` → `/problems/invalid-parameter`: a relative URI reference that identifies the
 * type; docs/api.md#errors lists each (the app serves no page at it).
 */
export const problemType = (code: ProblemCode): string =>
  `/problems/${code.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase()}`;

/** `urn:uuid:<id>`: the occurrence, found in the log lines by the same correlation id. */
export const problemInstance = (correlationId: string): string => `urn:uuid:${correlationId}`;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ProblemCode;
  [extension: string]: unknown;
}

/** The body of a problem; `extensions` (parameter, issues, correlationId, …) follow the standard members. */
export function problemOf(
  code: ProblemCode,
  status: number,
  detail: string,
  correlationId: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    type: problemType(code),
    title: PROBLEM_TYPES[code],
    status,
    detail,
    instance: problemInstance(correlationId),
    code,
    ...extensions,
  };
}

/** The schema's id: the OpenAPI component every error answer refers to (`#/components/schemas/Problem`). */
export const PROBLEM_SCHEMA_ID = 'Problem';

export const problemSchema = z
  .object({
    type: z
      .string()
      .meta({ format: 'uri-reference', description: 'The problem type: `/problems/<code in kebab case>`.' }),
    title: z.string().meta({ description: 'The same for every occurrence of the type.' }),
    status: z.number().int().meta({ description: 'The HTTP status code of this answer.' }),
    detail: z.string().meta({ description: 'What went wrong this time (never personal data).' }),
    instance: z
      .string()
      .meta({ format: 'uri', description: '`urn:uuid:<correlation id>`: the log lines carry the id.' }),
    code: z.enum(Object.keys(PROBLEM_TYPES) as [ProblemCode, ...ProblemCode[]]).meta({
      description: 'Stable identifier of the problem type.',
    }),
    parameter: z
      .string()
      .optional()
      .meta({ description: 'The query (or path) parameter at fault, as the caller named it.' }),
    field: z.string().optional().meta({
      description: 'The request body field at fault, as sent (`lines[0].quantity`, `adjustment.percent`).',
    }),
    issues: z
      .array(
        z.union([
          z.object({ parameter: z.string(), detail: z.string() }),
          z.object({ field: z.string(), detail: z.string() }),
        ]),
      )
      .optional()
      .meta({ description: 'Every parameter or body field at fault (the first is `parameter` or `field`).' }),
    correlationId: z.string().optional().meta({ description: '500 and 503: the id of the log lines.' }),
  })
  .catchall(z.unknown())
  .meta({
    id: PROBLEM_SCHEMA_ID,
    description: 'RFC 9457 problem details, with the stable `code` and the parameter at fault.',
  });
