import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { MAX_BODY_BYTES } from '../../../shared/customers/endpoint';
import { registeredFunctions } from '../../../runtime/registry';
import { httpHandlerOf } from '../../helpers/functions';

const URL = 'http://localhost:7071/api/customers/validate';
/** The handler the host calls: registered from functions/validateCustomer.ts (which needs no storage settings). */
const validateCustomer = httpHandlerOf('validateCustomer');

async function call(
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ response: HttpResponseInit; logs: string[] }> {
  const logs: string[] = [];
  // The host gives every invocation a GUID: the problem's instance and the log lines carry it.
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'validateCustomer',
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const request = new HttpRequest({
    method: 'POST',
    url: URL,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? { string: body } : { bytes: body },
  });
  const response = await validateCustomer(request, context);
  return { response: { ...response, jsonBody: JSON.parse(response.body as string) }, logs };
}

describe('POST /api/customers/validate', () => {
  it('is registered as a function-key POST route', () => {
    const registration = registeredFunctions().find((fn) => fn.name === 'validateCustomer');
    expect(registration).toMatchObject({
      kind: 'http',
      options: { route: 'customers/validate', methods: ['POST'], authLevel: 'function' },
    });
  });

  it('answers 200 with the verdict for a flat customer', async () => {
    const { response } = await call(
      JSON.stringify({ country: 'RU', organizationRegistrationNumber: '7709 442 668', phoneNumber: '8 912 345-67-89' }),
    );
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({
      valid: true,
      errors: [],
      warnings: [
        { field: 'organizationRegistrationNumber', code: 'INN_SEPARATORS_REMOVED', message: expect.any(String) },
      ],
      normalized: { country: 'RU', organizationRegistrationNumber: '7709442668', phoneNumber: '+79123456789' },
    });
  });

  it('answers 200 with errors, Partner Center codes and the expected pattern for an invalid customer', async () => {
    const { response } = await call(
      JSON.stringify({
        companyProfile: { organizationRegistrationNumber: '12345678' },
        billingProfile: { defaultAddress: { country: 'AZ' } },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({
      valid: false,
      errors: [
        {
          field: 'companyProfile.organizationRegistrationNumber',
          code: 'INN_INVALID',
          partnerCenterCode: 600050,
          expected: '^(\\d{7}|\\d{10})$',
          message: expect.any(String),
        },
        {
          field: 'billingProfile.defaultAddress.phoneNumber',
          code: 'PHONE_REQUIRED',
          partnerCenterCode: 600051,
          message: expect.any(String),
        },
      ],
      warnings: [],
      normalized: { country: 'AZ', organizationRegistrationNumber: null, phoneNumber: null },
    });
  });

  it.each([
    ['not JSON', '{"country": "RU"', /not valid JSON/],
    ['empty', '', /not valid JSON/],
    ['an array', '[{"country":"RU"}]', /JSON object/],
    ['a string', '"RU"', /JSON object/],
    ['null', 'null', /JSON object/],
  ])('answers 400 when the body is %s', async (_what, body, message) => {
    const { response } = await call(body);
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(response.jsonBody).toEqual({
      type: '/problems/invalid-body',
      title: 'The request body is not what the endpoint takes',
      status: 400,
      detail: expect.stringMatching(message),
      instance: expect.stringMatching(/^urn:uuid:[0-9a-f-]{36}$/),
      code: 'InvalidBody',
    });
  });

  it('answers 413 for a real body over 64 KiB, counted in bytes before parsing', async () => {
    // Two-byte characters: under the limit in characters, over it in bytes. Not even valid JSON: never parsed.
    const body = `{"country":"RU","companyName":"${'ж'.repeat(MAX_BODY_BYTES / 2)}"`;
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    const { response } = await call(body);
    expect(response.status).toBe(413);
    expect(response.jsonBody).toMatchObject({ status: 413, code: 'PayloadTooLarge', limitBytes: MAX_BODY_BYTES });
  });

  it('answers 413 from the declared length alone', async () => {
    const { response } = await call('{}', { 'content-length': String(MAX_BODY_BYTES + 1) });
    expect(response.status).toBe(413);
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const prefix = '{"country":"DE","companyName":"';
    const body = `${prefix}${'x'.repeat(MAX_BODY_BYTES - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    const { response } = await call(new TextEncoder().encode(body));
    expect(response.status).toBe(200);
  });

  it('logs no personal data in clear', async () => {
    const customer = {
      companyProfile: { organizationRegistrationNumber: '940140000385' },
      billingProfile: {
        email: 'aigerim.n@example.kz',
        companyName: 'Nurly Zhol LLP',
        defaultAddress: {
          country: 'KZ',
          phoneNumber: '+7 771 000 99 98',
          firstName: 'Aigerim',
          middleName: 'Serikovna',
          lastName: 'Nurlanova',
        },
      },
    };
    const wrongCountry = {
      country: 'KZ',
      organizationRegistrationNumber: '990940003031',
      phoneNumber: '+79123456789',
      firstName: 'Aigerim',
    };
    const { logs: validLogs } = await call(JSON.stringify(customer));
    const { logs: invalidLogs, response } = await call(JSON.stringify(wrongCountry));
    const logs = [...validLogs, ...invalidLogs].join('\n');
    expect(logs).toContain('customer validated');
    for (const secret of [
      '940140000385',
      '7710009998',
      '990940003031',
      '9123456789',
      'aigerim',
      'Aigerim',
      'Serikovna',
      'Nurlanova',
      'Nurly',
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(JSON.stringify(response.jsonBody)).not.toContain('9123456789');
  });
});
