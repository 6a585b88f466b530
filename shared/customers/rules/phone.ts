import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';
import { maskTail } from '../../observability/privacy';
import type { CountryTable } from './countries';
import { countryName, failed, outcome, PARTNER_CENTER_CODES, type FieldOutcome } from './findings';
import type { ReadField } from './payload';

/**
 * The phone number: required in the table's countries (600051), checked everywhere when given,
 * with the full ("max") metadata, and it must belong to the customer's country: a number written
 * with + ignores the default country, so +7 912… (Russia) parses fine for a Kazakh customer.
 */
export function checkPhone(field: ReadField, country: string | null, countries: CountryTable): FieldOutcome<string> {
  const name = field.name;
  if (field.value.state === 'unusable') return outcome(null);
  if (field.value.state === 'absent') {
    if (country === null || !countries[country]) return outcome(null);
    return failed({
      field: name,
      code: 'PHONE_REQUIRED',
      message: `${countryName(country)} requires the customer's phone number`,
      partnerCenterCode: PARTNER_CENTER_CODES.phoneRequired,
    });
  }

  const text = field.value.text;
  const defaultCountry = country !== null && isSupportedCountry(country) ? country : undefined;
  const parsed = parsePhoneNumberFromString(text, { defaultCountry, extract: false });
  if (!parsed?.isValid()) {
    return failed({ field: name, code: 'PHONE_INVALID', message: invalidPhoneMessage(text, defaultCountry) });
  }
  if (country !== null && parsed.country !== country) {
    const owner = parsed.country ? `a number of ${countryName(parsed.country)}` : 'not a number of any one country';
    return failed({
      field: name,
      code: 'PHONE_WRONG_COUNTRY',
      message:
        `The phone number ending in ${maskTail(text)} is ${owner}, ` + `but the customer is in ${countryName(country)}`,
    });
  }
  return outcome(parsed.number);
}

function invalidPhoneMessage(text: string, defaultCountry: CountryCode | undefined): string {
  const where = defaultCountry ? ` for ${countryName(defaultCountry)}` : '';
  switch (validatePhoneNumberLength(text, { defaultCountry })) {
    case 'TOO_SHORT':
      return `The phone number is too short${where}`;
    case 'TOO_LONG':
      return `The phone number is too long${where}`;
    case 'NOT_A_NUMBER':
      return 'The phone number is not a phone number (too few digits, or letters)';
    case 'INVALID_COUNTRY':
      return 'The phone number has no country code: write it as +<country code><number>';
    default:
      return `The phone number is not a valid number${where}`;
  }
}
