import type { StorageClients } from '../../storage/clients';
import type { Logger } from '../../observability/logger';
import { jsonResponse, runEndpoint, STORAGE_UNAVAILABLE_DOC, type ApiDoc, type ApiResponse } from '../../api/endpoint';
import { ApiError } from '../../api/errors';
import { readJsonBody } from '../../api/body';
import { RULE_ID, ruleBodySchema, ruleJson, ruleOf, ruleSchema } from '../rule';
import { deleteRule, getRule, putRule } from '../ruleStore';

/** A rule is a few hundred bytes; larger bodies are refused before they are parsed. */
export const MAX_RULE_BODY_BYTES = 16 * 1024;

export const priceRulesDoc: ApiDoc = {
  summary: 'Read, create or replace, and delete a price rule',
  description:
    'GET answers the rule (404 RuleNotFound when there is none); PUT validates the body and stores it under the ' +
    "path's id (201 created, 200 replaced); DELETE removes it and answers 204 whether or not it existed " +
    '(idempotent: a retried DELETE succeeds).',
  requestBody: ruleBodySchema,
  response: ruleSchema,
  errors: {
    400: 'InvalidParameter (the id) or InvalidBody (details.field names the field as sent).',
    404: 'RuleNotFound (GET).',
    413: `PayloadTooLarge: the body is larger than ${MAX_RULE_BODY_BYTES} bytes.`,
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

export interface RuleRequest {
  method: string;
  id: string;
  body: AsyncIterable<Uint8Array> | null;
  declaredLength: string | null;
}

/** GET/PUT/DELETE /api/price-rules/{id}. */
export function handlePriceRule(request: RuleRequest, storage: StorageClients, logger: Logger): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const { id } = request;
    if (!RULE_ID.test(id))
      throw new ApiError(
        400,
        'InvalidParameter',
        'id: 1–64 letters, digits, dots, hyphens or underscores, starting with a letter or digit',
        {
          parameter: 'id',
        },
      );
    switch (request.method) {
      case 'GET': {
        const rule = await getRule(storage, id);
        if (!rule) throw new ApiError(404, 'RuleNotFound', `no price rule with id ${id}`, { id });
        return jsonResponse(200, ruleJson(rule));
      }
      case 'PUT': {
        const body = await readJsonBody(ruleBodySchema, request.body, request.declaredLength, MAX_RULE_BODY_BYTES);
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
