import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { customerFileFormat, validateCustomerRecords, type CustomerFileFormat } from '../../../shared/customers/batch';
import { FileFault } from '../../../shared/files/fault';
import { validateCustomer } from '../../../shared/customers/rules/validateCustomer';

async function run(content: string | Buffer, format: CustomerFileFormat, chunkSize = 7) {
  // Small chunks: records, lines and multi-byte characters all straddle chunk borders.
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, i) =>
    bytes.subarray(i * chunkSize, (i + 1) * chunkSize),
  );
  const out = new PassThrough();
  const report = text(out);
  // On failure the pipeline destroys `out`, failing `report`: the caller sees the pipeline's error instead.
  report.catch(() => undefined);
  const summary = await validateCustomerRecords(Readable.from(chunks), format, out);
  return { summary, report: await report };
}

const CSV = [
  'ref,country,organizationRegistrationNumber,phoneNumber,firstName,note',
  'A-1,RU,7709442668,+79123456789,Анна,"first, with comma"',
  'A-2,KZ,990940003031,+79123456789,Айгерим,',
  'A-3,DE,,,,"multi',
  'line"',
  'A-4,UA,32855961,0501234567,,',
  'A-5,BY,,,',
  'A-6,ru,77-09-44-26-68,8 912 345 67 89,,',
].join('\r\n');

describe('validateCustomerRecords (CSV)', () => {
  it('reports one line per record, in input order, passing extra columns through', async () => {
    const { report, summary } = await run(CSV, 'csv');
    const rows: Record<string, string>[] = parse(report, { columns: true });
    expect(Object.keys(rows[0])).toEqual([
      'record',
      'ref',
      'note',
      'valid',
      'country',
      'organizationRegistrationNumber',
      'phoneNumber',
      'errorCodes',
      'partnerCenterCodes',
      'errors',
      'warnings',
    ]);
    expect(rows.map((row) => [row.record, row.ref, row.valid, row.errorCodes])).toEqual([
      ['1', 'A-1', 'true', ''],
      ['2', 'A-2', 'false', 'INN_CHECK_DIGIT PHONE_WRONG_COUNTRY'],
      ['3', 'A-3', 'true', ''],
      ['4', 'A-4', 'true', ''],
      ['5', 'A-5', 'false', 'RECORD_COLUMNS'],
      ['6', 'A-6', 'true', ''],
    ]);
    expect(rows[0].note).toBe('first, with comma');
    expect(rows[2].note).toBe('multi\r\nline');
    // A leading + is a formula to a spreadsheet: the report shows it as text (see csvCell).
    expect(rows[3]).toMatchObject({ organizationRegistrationNumber: '32855961', phoneNumber: "'+380501234567" });
    expect(rows[5]).toMatchObject({
      country: 'RU',
      organizationRegistrationNumber: '7709442668',
      phoneNumber: "'+79123456789",
    });
    expect(rows[5].warnings).toMatch(/^organizationRegistrationNumber: /);
    expect(summary).toEqual({
      format: 'csv',
      records: 6,
      valid: 4,
      invalid: 2,
      errors: { INN_CHECK_DIGIT: 1, PHONE_WRONG_COUNTRY: 1, RECORD_COLUMNS: 1 },
      warnings: { INN_SEPARATORS_REMOVED: 1 },
      partnerCenterCodes: {},
    });
  });

  it('gives each record the same verdict as the HTTP endpoint', async () => {
    const { report } = await run('country,organizationRegistrationNumber,phoneNumber\nAZ,12345678,\nRU,,\n', 'csv');
    const rows: Record<string, string>[] = parse(report, { columns: true });
    const expected = validateCustomer({ country: 'AZ', organizationRegistrationNumber: '12345678', phoneNumber: '' });
    expect(rows[0].errorCodes).toBe(expected.errors.map((e) => e.code).join(' '));
    expect(rows[0].partnerCenterCodes).toBe('600050 600051');
    expect(rows[1].partnerCenterCodes).toBe('600049 600051');
  });

  it('reads headers in any case and order, with a BOM', async () => {
    const { summary } = await run(
      '\ufeffPhoneNumber, COUNTRY ,OrganizationRegistrationNumber\n+375294911911,BY,200988541\n',
      'csv',
    );
    expect(summary).toMatchObject({ records: 1, valid: 1 });
  });

  it('writes a report with a header for a file without records', async () => {
    const { report, summary } = await run('country,organizationRegistrationNumber\n', 'csv');
    expect(summary.records).toBe(0);
    expect(report.split('\n')[0]).toBe(
      'record,valid,country,organizationRegistrationNumber,phoneNumber,errorCodes,partnerCenterCodes,errors,warnings',
    );
  });

  it.each([
    ['an empty file', '', /empty/],
    ['a header without customer fields', 'a,b\n1,2\n', /header names none/],
    ['a field named twice', 'country,Country\nRU,RU\n', /twice/],
    [
      'an unclosed quote',
      'country,organizationRegistrationNumber\nRU,"7709442668\n',
      /CSV cannot be parsed: line 2, column 2: a quoted field is never closed \(CSV_QUOTE_NOT_CLOSED\)/,
    ],
    [
      'a stray quote inside an INN',
      'country,organizationRegistrationNumber\nRU,77094"42668\n',
      /^the CSV cannot be parsed: line 2, column 2: a quote inside a field that does not start with one/,
    ],
    [
      'characters after a closing quote',
      'country,organizationRegistrationNumber\nRU,"7709442668"x\n',
      /line 2, column 2: characters after the quote that closes a field \(CSV_INVALID_CLOSING_QUOTE\)/,
    ],
    [
      'a record of a million columns',
      `country,organizationRegistrationNumber${','.repeat(1_000_000)}\n`,
      /1000 columns/,
    ],
    [
      'a field of 2 million characters',
      `country,organizationRegistrationNumber\nRU,7709442668${'7'.repeat(2_000_000)}\n`,
      /line 2, column 2: a record longer than 1000000 characters/,
    ],
    ['binary content', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]), /binary|UTF-8/],
    ['Latin-1 bytes', Buffer.from('country,firstName\nHU,J\xf3zsef\n', 'latin1'), /not UTF-8/],
  ])('refuses %s as unreadable, without quoting its content', async (_what, content, reason) => {
    const error = await run(content, 'csv', 64 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFault);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('7709442668');
  });

  it('streams a large file without holding it', async () => {
    const records = 20_000;
    async function* generate() {
      yield 'id,country,organizationRegistrationNumber,phoneNumber\n';
      for (let i = 0; i < records; i++) yield `${i},RU,7709442668,+79123456789\n`;
    }
    const out = new PassThrough();
    let lines = 0;
    out.on('data', (chunk: Buffer) => (lines += chunk.toString().split('\n').length - 1));
    const summary = await validateCustomerRecords(Readable.from(generate()), 'csv', out);
    expect(summary).toMatchObject({ records, valid: records });
    expect(lines).toBe(records + 1);
  });
});

describe('validateCustomerRecords (JSON Lines)', () => {
  const JSONL = [
    JSON.stringify({
      id: 1,
      city: 'Москва — Mосква',
      country: 'RU',
      organizationRegistrationNumber: '7709442668',
      phoneNumber: '+79123456789',
      email: 'a@example.ru',
    }),
    '',
    JSON.stringify({
      id: 2,
      companyProfile: { organizationRegistrationNumber: '1401555081' },
      billingProfile: { defaultAddress: { country: 'AZ', phoneNumber: '+994401234567' } },
    }),
    '{"id": 3, "country": "RU", broken',
    '[1,2]',
    JSON.stringify({
      id: 4,
      tag: { nested: true },
      country: 'UA',
      organizationRegistrationNumber: '1759013776',
      phoneNumber: '+380501234567',
    }),
  ].join('\n');

  it('reports every line in order, with the extra keys passed through and no personal data in messages', async () => {
    const { report, summary } = await run(JSONL, 'jsonl');
    const lines = report
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      lines.map((line) => [
        line.record,
        line.extra,
        line.valid,
        line.errors.map((error: { code: string }) => error.code),
      ]),
    ).toEqual([
      [1, { id: 1, city: 'Москва — Mосква' }, true, []],
      [2, { id: 2 }, false, ['INN_CHECK_DIGIT']],
      [3, {}, false, ['RECORD_UNREADABLE']],
      [4, {}, false, ['NOT_AN_OBJECT']],
      [5, { id: 4, tag: { nested: true } }, true, []],
    ]);
    expect(lines[1].errors[0].field).toBe('companyProfile.organizationRegistrationNumber');
    expect(lines[0].normalized).toEqual({
      country: 'RU',
      organizationRegistrationNumber: '7709442668',
      phoneNumber: '+79123456789',
    });
    expect(report).not.toContain('broken');
    expect(report).not.toContain('a@example.ru');
    expect(summary).toMatchObject({ records: 5, valid: 2, invalid: 3 });
  });

  it('refuses a file in which no line is JSON', async () => {
    await expect(run('country,organizationRegistrationNumber\nRU,7709442668\n', 'jsonl')).rejects.toBeInstanceOf(
      FileFault,
    );
  });

  it('refuses a line longer than the limit before holding more of it, naming the line', async () => {
    let produced = 0;
    // 200 MB in one line, generated as read: the reader must stop long before the end.
    async function* endlessLine() {
      yield '{"country":"RU"}\n{"note":"';
      for (; produced < 200 * 1024 * 1024; produced += 64 * 1024) yield 'x'.repeat(64 * 1024);
      yield '"}\n';
    }
    const out = new PassThrough();
    out.resume();
    const error = await validateCustomerRecords(Readable.from(endlessLine()), 'jsonl', out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFault);
    expect((error as Error).message).toBe('line 2 is longer than 1000000 characters');
    expect(produced).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('CSV reports', () => {
  it('neutralise cells a spreadsheet would run as formulas, keeping them readable (OWASP)', async () => {
    const cells = ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", '-5', '@SUM(A1)', '\tx', 'plain'];
    const csv = [
      'ref,country,organizationRegistrationNumber',
      ...cells.map((cell) => `"${cell.replace(/"/g, '""')}",RU,7709442668`),
    ].join('\n');
    const { report } = await run(csv, 'csv');
    const rows: Record<string, string>[] = parse(report, { columns: true });
    expect(rows.map((row) => row.ref)).toEqual([
      '\'=HYPERLINK("http://x.example","click")',
      "'+cmd|' /C calc'!A0",
      "'-5",
      "'@SUM(A1)",
      "'\tx",
      'plain',
    ]);
    // Every cell of the report, not only the passed-through ones.
    for (const line of report.split('\n'))
      expect(line.split(',').every((cell) => !/^[=+\-@\t\r]/.test(cell))).toBe(true);
  });
});

describe('customerFileFormat', () => {
  it.each([
    ['batch.csv', 'csv'],
    ['in/2024/Batch.CSV', 'csv'],
    ['b.jsonl', 'jsonl'],
    ['b.ndjson', 'jsonl'],
    ['b.json', null],
    ['b.xlsx', null],
  ])('%s → %s', (name, format) => expect(customerFileFormat(name)).toBe(format));
});
