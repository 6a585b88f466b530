import { CUSTOMER_COUNTRIES, type CountryTable } from './countries';
import { failed, outcome, type CustomerVerdict, type FieldOutcome, type Finding } from './findings';
import { checkInn } from './inn';
import { checkName } from './names';
import { isPlainObject, readCustomer, type ReadField } from './payload';
import { checkPhone } from './phone';

/**
 * The one customer validator, used by the HTTP endpoint, the CLI and the blob-drop batches.
 * Takes anything (a parsed JSON body, a batch record) and always answers with a verdict.
 */
export function validateCustomer(payload: unknown, countries: CountryTable = CUSTOMER_COUNTRIES): CustomerVerdict {
  if (!isPlainObject(payload)) {
    const error: Finding = { field: '', code: 'NOT_AN_OBJECT', message: 'The customer must be a JSON object' };
    return {
      valid: false,
      errors: [error],
      warnings: [],
      normalized: { country: null, organizationRegistrationNumber: null, phoneNumber: null },
    };
  }
  const { fields, errors: typeErrors } = readCustomer(payload);
  const country = checkCountry(fields.country);
  const inn = checkInn(fields.organizationRegistrationNumber, country.value, countries);
  const phone = checkPhone(fields.phoneNumber, country.value, countries);
  const names = [fields.firstName, fields.middleName, fields.lastName].map(checkName);
  const outcomes: FieldOutcome<unknown>[] = [country, inn, phone, ...names];
  const errors = [...typeErrors, ...outcomes.flatMap((checked) => checked.errors)];
  return {
    valid: errors.length === 0,
    errors,
    warnings: outcomes.flatMap((checked) => checked.warnings),
    normalized: { country: country.value, organizationRegistrationNumber: inn.value, phoneNumber: phone.value },
  };
}

const COUNTRY = /^[A-Za-z]{2}$/;

function checkCountry(field: ReadField): FieldOutcome<string> {
  const { name, value } = field;
  if (value.state === 'unusable') return outcome(null);
  if (value.state === 'absent') {
    return failed({ field: name, code: 'COUNTRY_REQUIRED', message: 'The country is required (two letters, e.g. RU)' });
  }
  if (!COUNTRY.test(value.text)) {
    return failed({
      field: name,
      code: 'COUNTRY_INVALID',
      message: 'The country must be a two-letter ISO code such as RU',
    });
  }
  return outcome(value.text.toUpperCase());
}
