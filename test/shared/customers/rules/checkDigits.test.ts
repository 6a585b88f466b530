import * as rules from '../../../../shared/customers/rules/checkDigits';

/** Published examples: each rule with numbers that pass and numbers that must fail. */
const CASES: { rule: keyof typeof rules; valid: string[]; checkDigit?: string[]; structure?: string[] }[] = [
  { rule: 'ruInn10', valid: ['7709442668', '1234567894'], checkDigit: ['1234567895', '7709442669'] },
  { rule: 'ruInn12', valid: ['123456789047', '005826107187'], checkDigit: ['123456789037', '123456789048'] },
  {
    rule: 'byUnp',
    valid: ['200988541', '100217336'],
    checkDigit: ['200988542'],
    structure: ['991705588', '000000000'],
  },
  {
    rule: 'kzBin',
    valid: ['940140000385', '990940003030', '011140001654'],
    checkDigit: ['990940003031', '011140001655'],
  },
  { rule: 'uaEdrpou', valid: ['32855961', '00022438', '00131954'], checkDigit: ['32855968', '00131955'] },
  { rule: 'uaRnokpp', valid: ['1759013776', '3006321856'], checkDigit: ['1759013770'] },
  {
    rule: 'huAdoszam',
    valid: ['10136915444'],
    checkDigit: ['10136916444'],
    structure: ['10136915644', '10136915421', '10136915401'],
  },
  { rule: 'huAdoazonosito', valid: ['8071592153'], checkDigit: ['8071592152'], structure: ['7071592153'] },
  { rule: 'mdIdno', valid: ['1008600038413'], checkDigit: ['1008600038412'] },
  { rule: 'azVoen', valid: ['1401555071', '0200432771'], checkDigit: ['1401555081'], structure: ['1400057424'] },
];

/** Index of the (last) check digit of each rule. */
const CHECK_POSITION: Record<keyof typeof rules, number> = {
  ruInn10: 9,
  ruInn12: 11,
  byUnp: 8,
  kzBin: 11,
  uaEdrpou: 7,
  uaRnokpp: 9,
  huAdoszam: 7,
  huAdoazonosito: 9,
  mdIdno: 12,
  azVoen: 8,
};

describe.each(CASES)('$rule', ({ rule, valid, checkDigit = [], structure = [] }) => {
  const check = rules[rule];
  it.each(valid)('accepts %s', (number) => expect(check(number)).toEqual({ ok: true }));
  it.each(checkDigit)('rejects %s (check digit)', (number) =>
    expect(check(number)).toMatchObject({ ok: false, kind: 'checkDigit' }),
  );
  if (structure.length > 0) {
    it.each(structure)('rejects %s (structure)', (number) =>
      expect(check(number)).toMatchObject({ ok: false, kind: 'structure' }),
    );
  }

  it('rejects every other digit in the check-digit position', () => {
    const original = valid[0];
    const at = CHECK_POSITION[rule];
    for (let d = 0; d <= 9; d++) {
      if (String(d) === original[at]) continue;
      const typo = original.slice(0, at) + d + original.slice(at + 1);
      expect({ typo, result: check(typo) }).toEqual({
        typo,
        result: expect.objectContaining({ ok: false, kind: 'checkDigit' }),
      });
    }
  });
});
