import { CUSTOMER_COUNTRIES, innPattern, type CountryTable } from '../../../../shared/customers/rules/countries';
import { validateCustomer } from '../../../../shared/customers/rules/validateCustomer';

/** A valid phone number per country. */
const PHONES: Record<string, string> = {
  AM: '+37477123456',
  AZ: '+994401234567',
  BY: '+375294911911',
  HU: '+36201234567',
  KZ: '+77710009998',
  KG: '+996700123456',
  MD: '+37362112345',
  RU: '+79123456789',
  TJ: '+992917123456',
  UZ: '+998912345678',
  UA: '+380501234567',
};

/** A valid registration number for every length Microsoft accepts, per country. */
const VALID_INNS: [country: string, inn: string][] = [
  ['AM', '00012345'],
  ['AM', '0001234567'],
  ['AZ', '1234567'],
  ['AZ', '1401555071'],
  ['AZ', '0200432771'],
  ['BY', '200988541'],
  ['BY', '100217336'],
  ['HU', '8071592153'],
  ['HU', '10136915444'],
  ['KZ', '940140000385'],
  ['KZ', '011140001654'],
  ['KG', '12505199010011'],
  ['MD', '123456'],
  ['MD', '1234567'],
  ['MD', '12345678'],
  ['MD', '1008600038413'],
  ['RU', '770901001'],
  ['RU', '7709442668'],
  ['RU', '123456789047'],
  ['RU', '005826107187'],
  ['TJ', '123456789'],
  ['TJ', '1234567890'],
  ['TJ', '123456789012'],
  ['UZ', '123456789'],
  ['UA', '32855961'],
  ['UA', '00022438'],
  ['UA', '1759013776'],
  ['UA', '123456789012'],
];

const customer = (country: string, inn: string | undefined, extra: Record<string, unknown> = {}) => ({
  country,
  organizationRegistrationNumber: inn,
  phoneNumber: PHONES[country],
  ...extra,
});

describe('validateCustomer: registration numbers', () => {
  it('covers every accepted length of every country in the table', () => {
    const covered = new Set(VALID_INNS.map(([code, inn]) => `${code}:${inn.length}`));
    const accepted = Object.entries(CUSTOMER_COUNTRIES).flatMap(([code, rules]) =>
      rules.inn.map((format) => `${code}:${format.length}`),
    );
    expect([...covered].sort()).toEqual(accepted.sort());
  });

  it.each(VALID_INNS)('%s accepts %s', (country, inn) => {
    const verdict = validateCustomer(customer(country, inn));
    expect(verdict).toEqual({
      valid: true,
      errors: [],
      warnings: [],
      normalized: { country, organizationRegistrationNumber: inn, phoneNumber: PHONES[country] },
    });
  });

  it.each(Object.keys(CUSTOMER_COUNTRIES))(
    '%s refuses lengths it does not accept (600050 with the pattern)',
    (country) => {
      const lengths = new Set(CUSTOMER_COUNTRIES[country].inn.map((format) => format.length));
      for (let length = 5; length <= 15; length++) {
        if (lengths.has(length)) continue;
        const verdict = validateCustomer(customer(country, '1'.repeat(length)));
        expect(verdict.valid).toBe(false);
        expect(verdict.errors).toEqual([
          expect.objectContaining({
            field: 'organizationRegistrationNumber',
            code: 'INN_INVALID',
            partnerCenterCode: 600050,
            expected: innPattern(CUSTOMER_COUNTRIES[country]),
          }),
        ]);
        expect(verdict.normalized.organizationRegistrationNumber).toBeNull();
      }
    },
  );

  it('states the pattern the way Partner Center does', () => {
    expect(innPattern(CUSTOMER_COUNTRIES.AZ)).toBe('^(\\d{7}|\\d{10})$');
    expect(new RegExp(innPattern(CUSTOMER_COUNTRIES.MD)).test('1008600038413')).toBe(true);
    const verdict = validateCustomer(customer('AZ', '12345678'));
    expect(verdict.errors[0].expected).toBe('^(\\d{7}|\\d{10})$');
    expect(verdict.errors[0].message).toContain('7 or 10 digits');
  });

  it.each([
    ['RU', '1234567895'],
    ['RU', '123456789037'],
    ['BY', '200988542'],
    ['KZ', '990940003031'],
    ['UA', '32855968'],
    ['UA', '1759013770'],
    ['HU', '10136916444'],
    ['HU', '8071592152'],
    ['MD', '1008600038412'],
    ['AZ', '1401555081'],
  ])('%s: a wrong check digit in %s is an error of its own, without a Partner Center code', (country, inn) => {
    const verdict = validateCustomer(customer(country, inn));
    expect(verdict.valid).toBe(false);
    expect(verdict.errors).toEqual([
      { field: 'organizationRegistrationNumber', code: 'INN_CHECK_DIGIT', message: expect.any(String) },
    ]);
    expect(verdict.normalized.organizationRegistrationNumber).toBeNull();
  });

  it.each([
    ['BY', '991705588'],
    ['AZ', '1400057424'],
    ['HU', '10136915644'],
    ['HU', '7071592153'],
  ])('%s: a structure error in %s has its own code, without a Partner Center code', (country, inn) => {
    const verdict = validateCustomer(customer(country, inn));
    expect(verdict.errors).toEqual([
      { field: 'organizationRegistrationNumber', code: 'INN_STRUCTURE', message: expect.any(String) },
    ]);
  });

  it.each(['77 0944 2668', '77-09-44-26-68', '770.944.2668', '7709 442-668', '77\u00a009\u201344 2668'])(
    'removes separators from %j with a warning',
    (inn) => {
      const verdict = validateCustomer(customer('RU', inn));
      expect(verdict.valid).toBe(true);
      expect(verdict.normalized.organizationRegistrationNumber).toBe('7709442668');
      expect(verdict.warnings).toEqual([
        { field: 'organizationRegistrationNumber', code: 'INN_SEPARATORS_REMOVED', message: expect.any(String) },
      ]);
    },
  );

  it('trims surrounding spaces without a warning', () => {
    const verdict = validateCustomer(customer('RU', '  7709442668 '));
    expect(verdict).toMatchObject({
      valid: true,
      warnings: [],
      normalized: { organizationRegistrationNumber: '7709442668' },
    });
  });

  it.each(['77094426A8', '7709442668/1', '770944266８', '+7709442668', 'ИНН7709442668', '7709_442668'])(
    'refuses %j (digits only, 600050)',
    (inn) => {
      const verdict = validateCustomer(customer('RU', inn));
      expect(verdict.errors).toEqual([
        expect.objectContaining({
          code: 'INN_INVALID',
          partnerCenterCode: 600050,
          expected: '^(\\d{9}|\\d{10}|\\d{12})$',
        }),
      ]);
      expect(verdict.errors[0].message).toMatch(/digits only/);
    },
  );

  it('keeps both the separator warning and the length error', () => {
    const verdict = validateCustomer(customer('RU', '770-944-26'));
    expect(verdict.errors.map((e) => e.code)).toEqual(['INN_INVALID']);
    expect(verdict.warnings.map((e) => e.code)).toEqual(['INN_SEPARATORS_REMOVED']);
  });

  it.each(Object.keys(CUSTOMER_COUNTRIES))('%s requires the registration number (600049)', (country) => {
    for (const inn of [undefined, null, '', '   ']) {
      const verdict = validateCustomer({ ...customer(country, undefined), organizationRegistrationNumber: inn });
      expect(verdict.errors).toEqual([
        {
          field: 'organizationRegistrationNumber',
          code: 'INN_REQUIRED',
          partnerCenterCode: 600049,
          message: expect.any(String),
        },
      ]);
    }
  });

  it('refuses a registration number for a country outside the table (600002)', () => {
    const verdict = validateCustomer({ country: 'DE', organizationRegistrationNumber: '123456789' });
    expect(verdict.errors).toEqual([
      {
        field: 'organizationRegistrationNumber',
        code: 'INN_NOT_ACCEPTED',
        partnerCenterCode: 600002,
        message: expect.stringContaining('Germany'),
      },
    ]);
    expect(validateCustomer({ country: 'DE' })).toMatchObject({
      valid: true,
      normalized: { country: 'DE', organizationRegistrationNumber: null, phoneNumber: null },
    });
  });

  it('takes a new country from data alone (e.g. India)', () => {
    const withIndia: CountryTable = { ...CUSTOMER_COUNTRIES, IN: { inn: [{ length: 15 }] } };
    expect(
      validateCustomer(
        { country: 'IN', organizationRegistrationNumber: '123456789012345', phoneNumber: '+919812345678' },
        withIndia,
      ).valid,
    ).toBe(true);
    expect(
      validateCustomer({ country: 'IN', phoneNumber: '+919812345678' }, withIndia).errors.map(
        (e) => e.partnerCenterCode,
      ),
    ).toEqual([600049]);
    expect(
      validateCustomer({ country: 'IN', organizationRegistrationNumber: '123456789012345' }).errors.map(
        (e) => e.partnerCenterCode,
      ),
    ).toEqual([600002]);
  });
});

describe('validateCustomer: phone numbers', () => {
  it.each(Object.entries(PHONES))('%s accepts the international form %s', (country, phone) => {
    const verdict = validateCustomer({
      country,
      organizationRegistrationNumber: VALID_INNS.find(([code]) => code === country)![1],
      phoneNumber: phone,
    });
    expect(verdict.valid).toBe(true);
    expect(verdict.normalized.phoneNumber).toBe(phone);
  });

  it.each([
    ['BY', '8 029 491 19 11', '+375294911911'],
    ['HU', '06 20 123 4567', '+36201234567'],
    ['UA', '0501234567', '+380501234567'],
    ['RU', '8 (912) 345-67-89', '+79123456789'],
    ['KZ', '8 771 000 9998', '+77710009998'],
    ['RU', '+7 912 345 67 89', '+79123456789'],
  ])('%s: national or formatted %j becomes E.164', (country, phone, e164) => {
    const verdict = validateCustomer({ country, phoneNumber: phone });
    expect(verdict.errors.filter((e) => e.field === 'phoneNumber')).toEqual([]);
    expect(verdict.normalized.phoneNumber).toBe(e164);
  });

  it.each([
    ['KZ', '+79123456789', 'Russia (RU)'],
    ['RU', '+77710009998', 'Kazakhstan (KZ)'],
    ['KZ', '89123456789', 'Russia (RU)'],
    ['UA', '+375294911911', 'Belarus (BY)'],
    ['DE', '+79123456789', 'Russia (RU)'],
  ])('%s: %s belongs to another country', (country, phone, owner) => {
    const verdict = validateCustomer({ country, phoneNumber: phone });
    const error = verdict.errors.find((e) => e.field === 'phoneNumber');
    expect(error).toEqual({
      field: 'phoneNumber',
      code: 'PHONE_WRONG_COUNTRY',
      message: expect.stringContaining(owner),
    });
    expect(error!.message).not.toContain(phone.replace(/\D/g, '').slice(-6));
    expect(verdict.normalized.phoneNumber).toBeNull();
  });

  it.each([
    ['RU', '+7912345678', /too short/],
    ['RU', '+791234567890', /not a valid number|too long/],
    ['AM', '+37477', /too short/],
    ['RU', 'call me', /not a phone number/],
    ['RU', '+7 912 345 67 89 ext. or so', /not/],
    ['RU', '12', /not a phone number|too short/],
  ])('%s: %j is invalid', (country, phone, message) => {
    const verdict = validateCustomer({ country, phoneNumber: phone });
    const error = verdict.errors.find((e) => e.field === 'phoneNumber');
    expect(error).toEqual({ field: 'phoneNumber', code: 'PHONE_INVALID', message: expect.stringMatching(message) });
  });

  it.each(Object.keys(CUSTOMER_COUNTRIES))('%s requires the phone number (600051)', (country) => {
    const verdict = validateCustomer({
      country,
      organizationRegistrationNumber: VALID_INNS.find(([code]) => code === country)![1],
    });
    expect(verdict.errors).toEqual([
      { field: 'phoneNumber', code: 'PHONE_REQUIRED', partnerCenterCode: 600051, message: expect.any(String) },
    ]);
  });

  it('checks a phone number outside the table when given, and does not require it', () => {
    expect(validateCustomer({ country: 'DE', phoneNumber: '030 1234567' }).normalized.phoneNumber).toBe('+49301234567');
    expect(validateCustomer({ country: 'DE', phoneNumber: '12' }).errors.map((e) => e.code)).toEqual(['PHONE_INVALID']);
    expect(validateCustomer({ country: 'DE' }).errors).toEqual([]);
  });

  it('reports all missing fields at once', () => {
    const verdict = validateCustomer({ country: 'ru' });
    expect(verdict.normalized.country).toBe('RU');
    expect(verdict.errors.map((e) => e.partnerCenterCode)).toEqual([600049, 600051]);
  });
});

describe('validateCustomer: country, names and types', () => {
  it.each([
    [{}, 'COUNTRY_REQUIRED'],
    [{ country: 'RUS' }, 'COUNTRY_INVALID'],
    [{ country: '7' }, 'COUNTRY_INVALID'],
    [{ country: 7 }, 'FIELD_TYPE'],
  ])('%j → %s, and no INN or phone rule is guessed', (payload, code) => {
    const verdict = validateCustomer({ ...payload, organizationRegistrationNumber: '7709442668' });
    expect(verdict.errors.map((e) => e.code)).toEqual([code]);
    expect(verdict.normalized.country).toBeNull();
  });

  it('checks names: 1–50 characters when given, middle name optional', () => {
    const base = customer('RU', '7709442668');
    expect(validateCustomer({ ...base, firstName: 'Анна', middleName: 'Сергеевна', lastName: 'Иванова' }).valid).toBe(
      true,
    );
    expect(validateCustomer({ ...base, firstName: 'Ä'.repeat(50), lastName: '😀'.repeat(50) }).valid).toBe(true);
    const tooLong = validateCustomer({
      ...base,
      firstName: 'x'.repeat(51),
      middleName: 'y'.repeat(60),
      lastName: 'Petrov',
    });
    expect(tooLong.errors.map((e) => [e.field, e.code])).toEqual([
      ['firstName', 'NAME_LENGTH'],
      ['middleName', 'NAME_LENGTH'],
    ]);
    expect(tooLong.errors[0].partnerCenterCode).toBeUndefined();
  });

  it('reports values of the wrong type instead of guessing (a number loses leading zeros)', () => {
    const verdict = validateCustomer({
      country: 'UA',
      organizationRegistrationNumber: 22438,
      phoneNumber: ['+380501234567'],
      email: {},
    });
    expect(verdict.errors.map((e) => [e.field, e.code])).toEqual([
      ['organizationRegistrationNumber', 'FIELD_TYPE'],
      ['phoneNumber', 'FIELD_TYPE'],
      ['email', 'FIELD_TYPE'],
    ]);
  });

  it.each([null, [], 'text', 42])('answers %j with a structured verdict', (payload) => {
    expect(validateCustomer(payload)).toEqual({
      valid: false,
      errors: [{ field: '', code: 'NOT_AN_OBJECT', message: expect.any(String) }],
      warnings: [],
      normalized: { country: null, organizationRegistrationNumber: null, phoneNumber: null },
    });
  });
});

describe('validateCustomer: the Partner Center create-customer payload', () => {
  const payload = (overrides: { inn?: unknown; address?: Record<string, unknown> } = {}) => ({
    companyProfile: {
      domain: 'contoso.onmicrosoft.com',
      organizationRegistrationNumber: overrides.inn ?? '7709-442-668',
    },
    billingProfile: {
      email: 'anna@contoso.example',
      companyName: 'Contoso',
      culture: 'ru-RU',
      defaultAddress: {
        country: 'RU',
        city: 'Moscow',
        addressLine1: 'Tverskaya 1',
        firstName: 'Anna',
        lastName: 'Ivanova',
        phoneNumber: '+79123456789',
        ...overrides.address,
      },
    },
  });

  it('validates the exact payload a portal submits and names fields by their path', () => {
    const verdict = validateCustomer(payload());
    expect(verdict).toEqual({
      valid: true,
      errors: [],
      warnings: [
        {
          field: 'companyProfile.organizationRegistrationNumber',
          code: 'INN_SEPARATORS_REMOVED',
          message: expect.any(String),
        },
      ],
      normalized: { country: 'RU', organizationRegistrationNumber: '7709442668', phoneNumber: '+79123456789' },
    });
  });

  it('reports Partner Center codes against the nested fields', () => {
    const verdict = validateCustomer(
      payload({ inn: '', address: { country: 'KZ', phoneNumber: null, middleName: 'z'.repeat(51) } }),
    );
    expect(verdict.errors.map((e) => [e.field, e.code, e.partnerCenterCode])).toEqual([
      ['companyProfile.organizationRegistrationNumber', 'INN_REQUIRED', 600049],
      ['billingProfile.defaultAddress.phoneNumber', 'PHONE_REQUIRED', 600051],
      ['billingProfile.defaultAddress.middleName', 'NAME_LENGTH', undefined],
    ]);
  });

  it('names a 600050 and a wrong-country phone by their paths', () => {
    const verdict = validateCustomer(payload({ inn: '12345', address: { country: 'KZ' } }));
    expect(verdict.errors.map((e) => [e.field, e.code])).toEqual([
      ['companyProfile.organizationRegistrationNumber', 'INN_INVALID'],
      ['billingProfile.defaultAddress.phoneNumber', 'PHONE_WRONG_COUNTRY'],
    ]);
  });

  it('reports a part that is not an object once', () => {
    const verdict = validateCustomer({
      companyProfile: { organizationRegistrationNumber: '7709442668' },
      billingProfile: 'RU',
    });
    expect(verdict.errors.map((e) => [e.field, e.code])).toEqual([['billingProfile', 'FIELD_TYPE']]);
  });

  it('treats a missing billing profile as missing country', () => {
    const verdict = validateCustomer({ companyProfile: { organizationRegistrationNumber: '7709442668' } });
    expect(verdict.errors.map((e) => [e.field, e.code])).toEqual([
      ['billingProfile.defaultAddress.country', 'COUNTRY_REQUIRED'],
    ]);
  });
});

describe('validateCustomer: privacy', () => {
  it('never echoes a submitted value in a message', () => {
    const inputs = [
      {
        country: 'KZ',
        organizationRegistrationNumber: '94014000038X',
        phoneNumber: '+79123456789',
        firstName: 'Z'.repeat(51) + 'Anna',
      },
      { country: 'RU', organizationRegistrationNumber: '1234567895', phoneNumber: '+7912345678' },
      { country: 'DE', organizationRegistrationNumber: '987654321', phoneNumber: 'call 555 123' },
      { country: 'AZ', organizationRegistrationNumber: '1400057424', phoneNumber: '+380501234567' },
    ];
    for (const input of inputs) {
      const text = JSON.stringify(validateCustomer(input).errors);
      for (const value of [
        input.organizationRegistrationNumber,
        input.phoneNumber,
        input.phoneNumber.replace(/\D/g, ''),
        'Anna',
      ]) {
        expect(text).not.toContain(value);
      }
    }
  });
});
