import fc from 'fast-check';
import { validateCustomer } from '../../../../shared/customers/rules/validateCustomer';

const CODES = /^[A-Z_]+$/;

function expectStructuredVerdict(verdict: ReturnType<typeof validateCustomer>): void {
  expect(typeof verdict.valid).toBe('boolean');
  expect(verdict.valid).toBe(verdict.errors.length === 0);
  for (const finding of [...verdict.errors, ...verdict.warnings]) {
    expect(typeof finding.field).toBe('string');
    expect(finding.code).toMatch(CODES);
    expect(finding.message.length).toBeGreaterThan(0);
    if (finding.partnerCenterCode !== undefined)
      expect([600002, 600049, 600050, 600051]).toContain(finding.partnerCenterCode);
  }
  const { country, organizationRegistrationNumber, phoneNumber } = verdict.normalized;
  if (country !== null) expect(country).toMatch(/^[A-Z]{2}$/);
  if (organizationRegistrationNumber !== null) expect(organizationRegistrationNumber).toMatch(/^\d+$/);
  if (phoneNumber !== null) expect(phoneNumber).toMatch(/^\+\d{6,15}$/);
}

const countries = fc.constantFrom(
  'AM',
  'AZ',
  'BY',
  'HU',
  'KZ',
  'KG',
  'MD',
  'RU',
  'TJ',
  'UZ',
  'UA',
  'DE',
  'us',
  'XX',
  '',
  'R',
);
const innLike = fc.oneof(fc.stringMatching(/^[0-9 .-]{0,16}$/), fc.string(), fc.integer(), fc.constant(null));
const phoneLike = fc.oneof(fc.stringMatching(/^\+?[0-9 ()-]{0,18}$/), fc.string(), fc.constant(undefined));

describe('validateCustomer never throws and always answers with a structured verdict', () => {
  it('for arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectStructuredVerdict(validateCustomer(value))),
      { numRuns: 2000 },
    );
  });

  it('for arbitrary objects (any key, any value, prototype-ish keys included)', () => {
    fc.assert(
      fc.property(
        fc.object({
          key: fc.oneof(
            fc.string(),
            fc.constantFrom('__proto__', 'constructor', 'country', 'companyProfile', 'billingProfile'),
          ),
        }),
        (value) => expectStructuredVerdict(validateCustomer(value)),
      ),
      { numRuns: 2000 },
    );
  });

  it('for plausible flat customers', () => {
    fc.assert(
      fc.property(countries, innLike, phoneLike, fc.option(fc.string({ maxLength: 60 })), (country, inn, phone, name) =>
        expectStructuredVerdict(
          validateCustomer({ country, organizationRegistrationNumber: inn, phoneNumber: phone, firstName: name }),
        ),
      ),
      { numRuns: 5000 },
    );
  });

  it('for plausible create-customer payloads with any part of the wrong type', () => {
    const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(countries, innLike, phoneLike, anything, anything, (country, inn, phone, oddProfile, oddAddress) => {
        const payloads = [
          {
            companyProfile: { organizationRegistrationNumber: inn },
            billingProfile: { defaultAddress: { country, phoneNumber: phone } },
          },
          { companyProfile: oddProfile, billingProfile: { defaultAddress: oddAddress } },
        ];
        for (const payload of payloads) expectStructuredVerdict(validateCustomer(payload));
      }),
      { numRuns: 3000 },
    );
  });

  it('is stable: the same input gives the same verdict', () => {
    fc.assert(
      fc.property(countries, innLike, phoneLike, (country, inn, phone) => {
        const input = { country, organizationRegistrationNumber: inn, phoneNumber: phone };
        expect(validateCustomer(input)).toEqual(validateCustomer(structuredClone(input)));
      }),
    );
  });

  it('a valid verdict always has what Partner Center needs in the eleven countries', () => {
    fc.assert(
      fc.property(countries, innLike, phoneLike, (country, inn, phone) => {
        const verdict = validateCustomer({ country, organizationRegistrationNumber: inn, phoneNumber: phone });
        const upper = country.toUpperCase();
        if (verdict.valid && ['AM', 'AZ', 'BY', 'HU', 'KZ', 'KG', 'MD', 'RU', 'TJ', 'UZ', 'UA'].includes(upper)) {
          expect(verdict.normalized.organizationRegistrationNumber).not.toBeNull();
          expect(verdict.normalized.phoneNumber).not.toBeNull();
        }
      }),
      { numRuns: 3000 },
    );
  });
});
