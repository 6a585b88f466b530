import { validateCustomer } from './rules/validateCustomer';
import { isPlainObject } from './rules/payload';
import { maskTail } from '../observability/privacy';
import type { Logger } from '../observability/logger';
import { ApiError } from '../api/errors';
import { jsonResponse, runEndpoint, type ApiDoc, type ApiResponse } from '../api/endpoint';
import { readBody } from '../api/request';

/** Larger bodies are refused before they are read or parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

export const validateCustomerDoc: ApiDoc = {
  summary: 'Validate a customer INN and phone number before submitting it to Partner Center',
  description:
    'Body: a flat object { country, organizationRegistrationNumber, phoneNumber, firstName, middleName, ' +
    'lastName, companyName, email } or the Partner Center create-customer payload. Answers 200 with { valid, ' +
    'errors, warnings, normalized }.',
  errors: { 400: 'the body is not a JSON object', 413: 'the body is larger than 64 KiB' },
};

/**
 * POST /api/customers/validate: the verdict on one customer, flat or as the Partner Center
 * create-customer payload. 200 with the verdict (valid or not), 400 when the body is not a JSON
 * object, 413 when it is larger than 64 KiB. Only masked values reach the log.
 */
export function handleValidateCustomer(
  body: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null,
  logger: Logger,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const text = await readBody(body, declaredLength, MAX_BODY_BYTES);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'InvalidBody', 'The body must be a JSON object (it is not valid JSON)');
    }
    if (!isPlainObject(payload))
      throw new ApiError(400, 'InvalidBody', 'The body must be a JSON object describing one customer');

    const verdict = validateCustomer(payload);
    const { normalized } = verdict;
    logger.info('customer validated', {
      country: normalized.country,
      valid: verdict.valid,
      errorCodes: verdict.errors.map((error) => error.code).join(' '),
      inn: normalized.organizationRegistrationNumber && maskTail(normalized.organizationRegistrationNumber),
      phone: normalized.phoneNumber && maskTail(normalized.phoneNumber),
    });
    return jsonResponse(200, verdict);
  });
}
