/**
 * The verdict on one customer: what the HTTP endpoint answers and what each batch report line holds.
 * Codes are stable identifiers for clients; messages are for the person typing and never echo
 * personal data.
 */

/** The BadRequest codes Partner Center answers a create/update customer request with. */
export const PARTNER_CENTER_CODES = {
  /** A registration number was sent for a country that does not take one. */
  innNotAccepted: 600002,
  /** The country requires a registration number and none was sent. */
  innRequired: 600049,
  /** The registration number does not match the country's pattern. */
  innInvalid: 600050,
  /** The country requires a phone number and none was sent. */
  phoneRequired: 600051,
} as const;

export type PartnerCenterCode = (typeof PARTNER_CENTER_CODES)[keyof typeof PARTNER_CENTER_CODES];

export type FindingCode =
  | 'NOT_AN_OBJECT'
  | 'FIELD_TYPE'
  | 'COUNTRY_REQUIRED'
  | 'COUNTRY_INVALID'
  | 'INN_REQUIRED'
  | 'INN_NOT_ACCEPTED'
  | 'INN_INVALID'
  | 'INN_CHECK_DIGIT'
  | 'INN_STRUCTURE'
  | 'INN_SEPARATORS_REMOVED'
  | 'PHONE_REQUIRED'
  | 'PHONE_INVALID'
  | 'PHONE_WRONG_COUNTRY'
  | 'NAME_LENGTH'
  | 'RECORD_UNREADABLE'
  | 'RECORD_COLUMNS';

export interface Finding {
  /**
   * The field as the caller named it: a flat name or a path such as
   * `companyProfile.organizationRegistrationNumber`.
   */
  field: string;
  code: FindingCode;
  message: string;
  /** Set when Partner Center would refuse the request with this code. */
  partnerCenterCode?: PartnerCenterCode;
  /** The pattern Partner Center states with 600050. */
  expected?: string;
}

export interface NormalizedCustomer {
  /** Two upper-case letters. */
  country: string | null;
  /** Digits only; null when absent or in error. */
  organizationRegistrationNumber: string | null;
  /** E.164; null when absent or in error. */
  phoneNumber: string | null;
}

export interface CustomerVerdict {
  valid: boolean;
  errors: Finding[];
  warnings: Finding[];
  normalized: NormalizedCustomer;
}

/** What a check of one field contributes to the verdict. */
export interface FieldOutcome<T> {
  errors: Finding[];
  warnings: Finding[];
  value: T | null;
}

export function outcome<T>(
  value: NoInfer<T> | null,
  errors: Finding[] = [],
  warnings: Finding[] = [],
): FieldOutcome<T> {
  return { value, errors, warnings };
}

export function failed<T>(finding: Finding): FieldOutcome<T> {
  return { value: null, errors: [finding], warnings: [] };
}

/**
 * Created on first use: creating it loads ICU's region names, a measurable part of a cold start
 * (docs/design.md: cold start) for every function, most of which never name a country.
 */
let regionNames: Intl.DisplayNames | undefined;
// Intl lookups are slow next to the rest of a record's checks; there are at most 26² codes.
const countryNames = new Map<string, string>();
/** English country name for messages (`KZ` → `Kazakhstan (KZ)`); the code itself when unknown. */
export function countryName(code: string): string {
  let name = countryNames.get(code);
  if (name === undefined) {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    try {
      name = `${regionNames.of(code) ?? code} (${code})`;
    } catch {
      // DisplayNames throws for codes that are not well-formed region subtags.
      name = code;
    }
    countryNames.set(code, name);
  }
  return name;
}
