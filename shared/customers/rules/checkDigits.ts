/**
 * Check-digit and structure rules of the registration numbers that have them: the public algorithms
 * of each country's tax authority (as open-source identifier libraries such as python-stdnum
 * implement them). Each rule takes the digits only, already of its length. Partner Center checks
 * only the pattern: a failure here means "probably a typo", not "Partner Center refuses".
 */

export type InnCheckResult = { ok: true } | { ok: false; kind: 'checkDigit' | 'structure'; reason: string };

export type InnCheck = (digits: string) => InnCheckResult;

const OK: InnCheckResult = { ok: true };
const badCheckDigit = (what: string): InnCheckResult => ({
  ok: false,
  kind: 'checkDigit',
  reason: `the check digit of this ${what} does not match: probably a typo`,
});
const badStructure = (reason: string): InnCheckResult => ({ ok: false, kind: 'structure', reason });

const CHAR_CODE_ZERO = '0'.charCodeAt(0);
/** The value of the digit at position `i` (counted from 0). */
const digit = (digits: string, i: number) => digits.charCodeAt(i) - CHAR_CODE_ZERO;

function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i] * digit(digits, i);
  return sum;
}

/** n mod m, never negative (JS `%` keeps the sign of n). */
const mod = (n: number, m: number) => ((n % m) + m) % m;

/** Russia, ИНН of an organisation (10 digits). */
export const ruInn10: InnCheck = (digits) =>
  (weightedSum(digits, [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10 === digit(digits, 9)
    ? OK
    : badCheckDigit('Russian company INN');

/** Russia, ИНН of an individual (12 digits): two check digits, the second covering the first. */
export const ruInn12: InnCheck = (digits) => {
  const first = (weightedSum(digits, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  const second = (weightedSum(digits, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  return first === digit(digits, 10) && second === digit(digits, 11) ? OK : badCheckDigit('Russian individual INN');
};

/** Belarus, УНП (9 digits); the first digit is the region (1–7). */
export const byUnp: InnCheck = (digits) => {
  const region = digit(digits, 0);
  if (region < 1 || region > 7) return badStructure('the first digit of a Belarusian УНП (the region) must be 1 to 7');
  const check = weightedSum(digits, [29, 23, 19, 17, 13, 7, 5, 3]) % 11;
  return check !== 10 && check === digit(digits, 8) ? OK : badCheckDigit('Belarusian УНП');
};

/** Kazakhstan, БИН/ИИН (12 digits); a second set of weights when the first gives 10. */
export const kzBin: InnCheck = (digits) => {
  let check = weightedSum(digits, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) % 11;
  if (check === 10) check = weightedSum(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) % 11;
  return check !== 10 && check === digit(digits, 11) ? OK : badCheckDigit('Kazakh БИН/ИИН');
};

/** Ukraine, ЄДРПОУ (8 digits). */
export const uaEdrpou: InnCheck = (digits) => {
  const first = digit(digits, 0);
  const weights = first >= 3 && first <= 5 ? [7, 1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7];
  let check = weightedSum(digits, weights) % 11;
  if (check >= 10) {
    const secondWeights = weights.map((weight) => weight + 2);
    check = (weightedSum(digits, secondWeights) % 11) % 10;
  }
  return check === digit(digits, 7) ? OK : badCheckDigit('Ukrainian ЄДРПОУ code');
};

/** Ukraine, РНОКПП of an individual (10 digits). */
export const uaRnokpp: InnCheck = (digits) =>
  mod(weightedSum(digits, [-1, 5, 7, 9, 4, 6, 10, 5, 7]), 11) % 10 === digit(digits, 9)
    ? OK
    : badCheckDigit('Ukrainian РНОКПП');

const HU_COUNTIES = new Set([...range(2, 20), ...range(22, 44), 51]);
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Hungary, adószám (11 digits: 8-digit core with check digit, VAT code, county code). */
export const huAdoszam: InnCheck = (digits) => {
  if (weightedSum(digits, [9, 7, 3, 1, 9, 7, 3, 1]) % 10 !== 0) return badCheckDigit('Hungarian adószám');
  const vat = digit(digits, 8);
  if (vat < 1 || vat > 5) return badStructure('the 9th digit of a Hungarian adószám (the VAT code) must be 1 to 5');
  if (!HU_COUNTIES.has(digit(digits, 9) * 10 + digit(digits, 10))) {
    return badStructure('the last two digits of a Hungarian adószám (the county code) are not a county');
  }
  return OK;
};

/** Hungary, adóazonosító jel of an individual (10 digits, starting with 8). */
export const huAdoazonosito: InnCheck = (digits) => {
  if (digit(digits, 0) !== 8) return badStructure('a 10-digit Hungarian tax id (adóazonosító jel) starts with 8');
  const check = weightedSum(digits, [1, 2, 3, 4, 5, 6, 7, 8, 9]) % 11;
  return check !== 10 && check === digit(digits, 9) ? OK : badCheckDigit('Hungarian adóazonosító jel');
};

/** Moldova, IDNO (13 digits). */
export const mdIdno: InnCheck = (digits) =>
  weightedSum(digits, [7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1]) % 10 === digit(digits, 12)
    ? OK
    : badCheckDigit('Moldovan IDNO');

/** Azerbaijan, VÖEN (10 digits): check digit 9th, last digit 1 (legal entity) or 2 (person). */
export const azVoen: InnCheck = (digits) => {
  const kind = digit(digits, 9);
  if (kind !== 1 && kind !== 2)
    return badStructure('the last digit of an Azerbaijani VÖEN must be 1 (legal entity) or 2 (person)');
  return weightedSum(digits, [4, 1, 8, 6, 2, 7, 5, 3]) % 11 === digit(digits, 8)
    ? OK
    : badCheckDigit('Azerbaijani VÖEN');
};
