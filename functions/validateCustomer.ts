import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { invocationLogger } from '../runtime/services';
import { validateCustomer } from '../shared/domain/customers/validateCustomer';
import { isPlainObject } from '../shared/domain/customers/payload';
import { maskTail } from '../shared/domain/privacy';

/** Larger bodies are refused before they are read or parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * POST /api/customers/validate: the verdict on one customer, flat or as the Partner Center
 * create-customer payload. 200 with the verdict (valid or not), 400 when the body is not a JSON
 * object, 413 when it is larger than 64 KiB.
 */
export async function validateCustomerHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const logger = invocationLogger(context);
  const body = await readBody(request);
  if (body === 'tooLarge') {
    logger.warn('customer validation refused: body too large', { limitBytes: MAX_BODY_BYTES });
    return problem(413, `The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return problem(400, 'The body must be a JSON object (it is not valid JSON)');
  }
  if (!isPlainObject(payload)) return problem(400, 'The body must be a JSON object describing one customer');

  const verdict = validateCustomer(payload);
  const { normalized } = verdict;
  logger.info('customer validated', {
    country: normalized.country,
    valid: verdict.valid,
    errorCodes: verdict.errors.map((e) => e.code).join(' '),
    inn: normalized.organizationRegistrationNumber && maskTail(normalized.organizationRegistrationNumber),
    phone: normalized.phoneNumber && maskTail(normalized.phoneNumber),
  });
  return { status: 200, jsonBody: verdict };
}

function problem(status: number, message: string): HttpResponseInit {
  return { status, jsonBody: { error: message } };
}

/** The body as text, or 'tooLarge' as soon as it passes the limit (counted in bytes, read in chunks). */
async function readBody(request: HttpRequest): Promise<string | 'tooLarge'> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) return 'tooLarge';
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return 'tooLarge';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

httpFunction('validateCustomer', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'customers/validate',
  handler: validateCustomerHandler,
});
