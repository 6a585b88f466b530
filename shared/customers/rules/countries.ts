import {
  azVoen,
  byUnp,
  huAdoazonosito,
  huAdoszam,
  kzBin,
  mdIdno,
  ruInn10,
  ruInn12,
  uaEdrpou,
  uaRnokpp,
  type InnCheck,
} from './checkDigits';

/**
 * The countries where Partner Center requires the organization registration number (INN) and the
 * phone number, with the INN lengths Microsoft publishes for customer verification (digits only,
 * one or more lengths per country). Adding a country (India, say) is one entry here; a country
 * missing from this table takes no INN (600002).
 */
export interface CountryRules {
  /** One entry per accepted length; `check` where the number carries a check digit or structure. */
  inn: readonly { length: number; check?: InnCheck }[];
}

export type CountryTable = Readonly<Record<string, CountryRules>>;

export const CUSTOMER_COUNTRIES: CountryTable = {
  AM: { inn: [{ length: 8 }, { length: 10 }] },
  AZ: { inn: [{ length: 7 }, { length: 10, check: azVoen }] },
  BY: { inn: [{ length: 9, check: byUnp }] },
  HU: {
    inn: [
      { length: 10, check: huAdoazonosito },
      { length: 11, check: huAdoszam },
    ],
  },
  KZ: { inn: [{ length: 12, check: kzBin }] },
  KG: { inn: [{ length: 14 }] },
  MD: { inn: [{ length: 6 }, { length: 7 }, { length: 8 }, { length: 13, check: mdIdno }] },
  RU: { inn: [{ length: 9 }, { length: 10, check: ruInn10 }, { length: 12, check: ruInn12 }] },
  TJ: { inn: [{ length: 9 }, { length: 10 }, { length: 12 }] },
  UZ: { inn: [{ length: 9 }] },
  UA: { inn: [{ length: 8, check: uaEdrpou }, { length: 10, check: uaRnokpp }, { length: 12 }] },
};

/** The pattern as Partner Center states it with 600050, e.g. `^(\d{7}|\d{10})$`. */
export function innPattern(rules: CountryRules): string {
  return `^(${rules.inn.map((format) => `\\d{${format.length}}`).join('|')})$`;
}

/** `[8, 10]` → `8 or 10`. */
export function innLengthsText(rules: CountryRules): string {
  const lengths = rules.inn.map((format) => String(format.length));
  return lengths.length === 1 ? lengths[0] : `${lengths.slice(0, -1).join(', ')} or ${lengths[lengths.length - 1]}`;
}
