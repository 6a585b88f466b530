import type { StorageClients } from '../../storage/clients';
import type { Logger } from '../../observability/logger';
import {
  jsonResponse,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ResourceRequest,
  type ApiResponse,
} from '../../api/endpoint';
import { ApiError } from '../../api/errors';
import { readJsonBody } from '../../api/body';
import { conditionalJson } from '../../api/caching';
import { RULE_ID, ruleBodySchema, ruleJson, ruleOf, ruleSchema } from '../rule';
import { deleteRule, getRule, putRule } from '../ruleStore';

/** A rule is a few hundred bytes; larger bodies are refused before they are parsed. */
export const MAX_RULE_BODY_BYTES = 16 * 1024;

const BAD_ID = 'InvalidParameter: `id` is not 1–64 letters, digits, dots, hyphens or underscores (`parameter: id`).';

export const priceRulesDoc: ApiDoc = {
  summary: 'Read, create or replace, and delete a price rule',
  description:
    'GET answers the rule (404 RuleNotFound when there is none; ETag, 304 with If-None-Match); PUT validates the ' +
    "body and stores it under the path's id (201 created, 200 replaced); DELETE removes it and answers 204 whether " +
    'or not it existed (idempotent: a retried DELETE succeeds).',
  requestBody: ruleBodySchema,
  response: ruleSchema,
  methods: {
    GET: {
      summary: 'Read a price rule',
      errors: { 400: BAD_ID, 404: 'RuleNotFound: no rule with this id.', 503: STORAGE_UNAVAILABLE_DOC },
    },
    PUT: {
      summary: 'Create (201) or replace (200) a price rule',
      okStatus: [201, 200],
      errors: {
        400: `${BAD_ID} InvalidBody: not JSON, or a field is invalid (\`field\` names it as sent, e.g. adjustment.percent).`,
        413: `PayloadTooLarge: the body is larger than ${MAX_RULE_BODY_BYTES} bytes.`,
        503: STORAGE_UNAVAILABLE_DOC,
      },
    },
    DELETE: {
      summary: 'Delete a price rule (204 whether or not it existed)',
      okStatus: 204,
      errors: { 400: BAD_ID, 503: STORAGE_UNAVAILABLE_DOC },
    },
  },
};

/** What the rules endpoint reads of a request: the host's HttpRequest is one (method, route parameters, body). */
export type RuleRequest = ResourceRequest;

/**
 * GET/PUT/DELETE /api/price-rules/{id}. GET is conditional: the ETag is a digest of the rule as
 * stored (one small entity, read anyway), so it changes with every PUT and a kept answer is
 * revalidated with a 304 while the rule is unchanged.
 */
export function handlePriceRule(request: RuleRequest, storage: StorageClients, logger: Logger): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const id = request.params.id ?? '';
    if (!RULE_ID.test(id))
      throw new ApiError(
        400,
        'InvalidParameter',
        'id: 1–64 letters, digits, dots, hyphens or underscores, starting with a letter or digit',
        { parameter: 'id' },
      );
    switch (request.method.toUpperCase()) {
      case 'GET': {
        const rule = await getRule(storage, id);
        if (!rule) throw new ApiError(404, 'RuleNotFound', `no price rule with id ${id}`, { parameter: 'id', id });
        const body = ruleJson(rule);
        return conditionalJson(request, { validator: ['price-rule', body] }, () => Promise.resolve(body));
      }
      case 'PUT': {
        const declaredLength = request.headers.get('content-length');
        const body = await readJsonBody(ruleBodySchema, request.body, declaredLength, MAX_RULE_BODY_BYTES);
        const rule = ruleOf(id, body);
        const existed = (await getRule(storage, id)) !== null;
        await putRule(storage, rule);
        logger.info('price rule stored', { id, created: !existed });
        return jsonResponse(existed ? 200 : 201, ruleJson(rule));
      }
      case 'DELETE': {
        const deleted = await deleteRule(storage, id);
        logger.info('price rule deleted', { id, existed: deleted });
        return { status: 204, headers: {}, body: '' };
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${request.method} is not allowed here`);
    }
  });
}
