import { parse } from 'csv-parse/sync';
import { csvCell, csvErrorText, csvLine } from '../../../shared/formats/csv';

describe('csvCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', '"\'\rx"'],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['a, b', '"a, b"'],
    ['plain', 'plain'],
    ['', ''],
  ])('writes %j as %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  it('quotes every cell on request and reads back as the neutralised value', () => {
    expect(csvCell('-1 rejected', 'always')).toBe('"\'-1 rejected"');
    expect(parse(csvLine(['=x', 'a"b', '1']))).toEqual([["'=x", 'a"b', '1']]);
  });
});

describe('csvErrorText', () => {
  const errorOf = (text: string): unknown => {
    try {
      parse(text);
    } catch (e) {
      return e;
    }
    throw new Error('parsed');
  };

  it('names line, column and reason, never the field the parser quotes', () => {
    const error = errorOf('a,b\nRU,77094"42668\n');
    expect((error as Error).message).toContain('77094');
    expect(csvErrorText(error)).toBe(
      'line 2, column 2: a quote inside a field that does not start with one (write it as "") (INVALID_OPENING_QUOTE)',
    );
  });

  it('is undefined for errors that are not the parser’s', () => {
    expect(csvErrorText(new Error('ECONNRESET'))).toBeUndefined();
    expect(csvErrorText(undefined)).toBeUndefined();
  });
});
