import { innLengthsText, innPattern, type CountryRules, type CountryTable } from './countries';
import { countryName, failed, outcome, PARTNER_CENTER_CODES, type FieldOutcome, type Finding } from './findings';
import type { ReadField } from './payload';

/** What people type between digit groups; Partner Center refuses them, so they are removed (with a warning). */
const SEPARATORS = /[\s.\-‐-―−]/g;
const DIGITS = /^[0-9]+$/;

/**
 * The organization registration number: required in the table's countries (600049), refused
 * elsewhere (600002), digits of an accepted length (600050), then the check digit where one exists.
 * `country` is null when the country itself is missing or malformed (reported on its own field).
 */
export function checkInn(field: ReadField, country: string | null, countries: CountryTable): FieldOutcome<string> {
  const name = field.name;
  if (field.value.state === 'unusable' || country === null) return outcome(null);
  const rules = countries[country];
  if (field.value.state === 'absent') return rules ? innRequired(name, country) : outcome(null);
  if (!rules) return innNotAccepted(name, country);

  const digits = field.value.text.replace(SEPARATORS, '');
  const warnings = digits.length === field.value.text.length ? [] : [separatorsRemoved(name)];
  const invalid = (problem: string) => innInvalid(name, country, rules, problem, warnings);
  if (!DIGITS.test(digits))
    return invalid('The registration number may contain digits only (letters or other characters were found)');
  const format = rules.inn.find((candidate) => candidate.length === digits.length);
  if (!format) return invalid(`The registration number has ${digits.length} digits`);

  const checked = format.check?.(digits) ?? { ok: true };
  if (!checked.ok) {
    const message = checked.reason.charAt(0).toUpperCase() + checked.reason.slice(1);
    const code = checked.kind === 'checkDigit' ? 'INN_CHECK_DIGIT' : 'INN_STRUCTURE';
    return outcome<string>(null, [{ field: name, code, message }], warnings);
  }
  return outcome(digits, [], warnings);
}

function innRequired(name: string, country: string): FieldOutcome<string> {
  return failed({
    field: name,
    code: 'INN_REQUIRED',
    message: `${countryName(country)} requires the organization registration number (INN)`,
    partnerCenterCode: PARTNER_CENTER_CODES.innRequired,
  });
}

function innNotAccepted(name: string, country: string): FieldOutcome<string> {
  return failed({
    field: name,
    code: 'INN_NOT_ACCEPTED',
    message:
      'Partner Center takes no organization registration number for customers in ' +
      `${countryName(country)}: leave it out`,
    partnerCenterCode: PARTNER_CENTER_CODES.innNotAccepted,
  });
}

function innInvalid(
  name: string,
  country: string,
  rules: CountryRules,
  problem: string,
  warnings: Finding[],
): FieldOutcome<string> {
  const error: Finding = {
    field: name,
    code: 'INN_INVALID',
    message: `${problem}; ${countryName(country)} takes ${innLengthsText(rules)} digits`,
    partnerCenterCode: PARTNER_CENTER_CODES.innInvalid,
    expected: innPattern(rules),
  };
  return outcome(null, [error], warnings);
}

function separatorsRemoved(name: string): Finding {
  return {
    field: name,
    code: 'INN_SEPARATORS_REMOVED',
    message: 'Spaces, hyphens and dots were removed: send the digits only (see normalized)',
  };
}
