import { FileFault } from '../../../shared/files/fault';
import { PC_HEADER, pcRow, readAll, tempFiles } from '../../helpers/files';

const files = tempFiles();

describe('readPriceFile: CSV text', () => {
  it('maps Partner Center columns to fields and keeps the text exactly', async () => {
    const file = files.file(
      'pc.csv',
      `${PC_HEADER}\r\n${pcRow({ UnitPrice: '0.000140', PricingTierRangeMax: '9223372036854780000' })}\r\n`,
    );
    const [line] = await readAll(file);
    expect(line).toEqual({
      line: 2,
      record: expect.objectContaining({
        productId: 'DZH318Z0BQ4L',
        unitPrice: '0.000140',
        pricingTierRangeMin: '',
        pricingTierRangeMax: '9223372036854780000',
        effectiveStartDate: '3/1/2018 12:00:00 AM',
        meterId: '50b363d1-feb5-1b7f-a847-bf36ef64b78c',
        termDuration: '',
      }),
    });
  });

  it('follows the header: any column order, letter case, extra columns, BOM, unquoted values, LF ends', async () => {
    const text =
      '\uFEFFcurrency,EXTRA,unitprice,EffectiveEndDate,market,SKUID,Product Id,effectivestartdate\n' +
      'USD,ignored,12.3456789,11/30/9999 11:59:59 PM,US,0002,DZH318Z0BQ3S,3/1/2018 12:00:00 AM\n';
    const lines = await readAll(files.file('reordered.csv', text));
    expect(lines).toEqual([
      {
        line: 2,
        record: {
          currency: 'USD',
          unitPrice: '12.3456789',
          effectiveEndDate: '11/30/9999 11:59:59 PM',
          market: 'US',
          skuId: '0002',
          productId: 'DZH318Z0BQ3S',
          effectiveStartDate: '3/1/2018 12:00:00 AM',
        },
      },
    ]);
  });

  it('reads quoted commas, doubled quotes and line breaks inside quotes', async () => {
    const row = pcRow({ SkuDescription: 'App Service, "Linux"\r\nsecond line', Tags: 'Azure' });
    const text = `${PC_HEADER}\r\n${row}\r\n`;
    const [line] = await readAll(files.file('quoted.csv', text));
    expect(line).toMatchObject({
      line: 2,
      record: { skuDescription: 'App Service, "Linux"\r\nsecond line', tags: 'Azure' },
    });
  });

  it('skips empty lines and counts them in line numbers', async () => {
    const text = `${PC_HEADER}\r\n\r\n${pcRow({ SkuId: 'A' })}\r\n   \r\n\r\n${pcRow({ SkuId: 'B' })}`;
    const lines = await readAll(files.file('blank.csv', text));
    expect(lines.map((l) => [l.line, 'record' in l ? l.record.skuId : l.error])).toEqual([
      [3, 'A'],
      [6, 'B'],
    ]);
  });

  it('reports the physical line where a row starts, after multi-line quoted fields', async () => {
    const text = [
      PC_HEADER,
      pcRow({ SkuId: 'ONE' }),
      pcRow({ SkuId: 'TWO', SkuDescription: 'three\nline\ndescription' }), // lines 3-5
      pcRow({ SkuId: 'THREE' }), // line 6
      '"short","row"', // line 7
      pcRow({ SkuId: 'FOUR', ProductTitle: 'two\r\nlines' }), // lines 8-9
      pcRow({ SkuId: 'FIVE' }).replace(',"Azure"', ''), // line 10: a field short
      pcRow({ SkuId: 'SIX' }), // line 11
    ].join('\r\n');
    const lines = await readAll(files.file('lines.csv', text));
    expect(lines.map((l) => [l.line, 'record' in l ? l.record.skuId : 'error'])).toEqual([
      [2, 'ONE'],
      [3, 'TWO'],
      [6, 'THREE'],
      [7, 'error'],
      [8, 'FOUR'],
      [10, 'error'],
      [11, 'SIX'],
    ]);
    expect(lines[3]).toEqual({ line: 7, error: 'has 2 fields, the header has 18' });
    expect(lines[5]).toEqual({ line: 10, error: 'has 17 fields, the header has 18' });
  });

  it('gets line numbers right whatever the read chunk boundaries (large file)', async () => {
    const rows: string[] = [PC_HEADER];
    for (let i = 0; i < 3000; i++) {
      rows.push(pcRow({ SkuId: String(i), SkuDescription: i % 7 === 0 ? `multi\r\nline ${i}` : `row ${i}` }));
    }
    const lines = await readAll(files.file('many.csv', rows.join('\r\n')));
    let expected = 2;
    lines.forEach((l, i) => {
      expect(l.line).toBe(expected);
      expected += i % 7 === 0 ? 2 : 1;
    });
    expect(lines).toHaveLength(3000);
  });

  it('turns a row with broken quoting into an error and reads on', async () => {
    const text = [
      PC_HEADER,
      pcRow({ SkuId: 'ONE' }),
      pcRow({ SkuId: 'BAD' }).replace('"D2 v3"', '"D2" v3"'),
      pcRow({ SkuId: 'THREE' }),
    ].join('\n');
    const lines = await readAll(files.file('badquote.csv', text));
    expect(lines.map((l) => [l.line, 'record' in l ? l.record.skuId : 'error'])).toEqual([
      [2, 'ONE'],
      [3, 'error'],
      [4, 'THREE'],
    ]);
  });

  it('refuses a quote left open to the end of the file', async () => {
    const text = [PC_HEADER, pcRow(), pcRow(), '"Virtual Machines","DZH318Z0BQ4L","0001'].join('\r\n');
    await expect(readAll(files.file('open-quote.csv', text))).rejects.toThrow(FileFault);
    await expect(readAll(files.file('open-quote.csv', text))).rejects.toThrow(
      /line \d+, column \d+: a quoted field is never closed \(CSV_QUOTE_NOT_CLOSED\)/,
    );
  });

  it('refuses a line of a million columns without building it', async () => {
    const text = [PC_HEADER, pcRow(), `${pcRow()}${','.repeat(1_000_000)}`, pcRow()].join('\r\n');
    await expect(readAll(files.file('wide.csv', text))).rejects.toThrow(
      new FileFault('the CSV cannot be parsed: line 3: a record with more than 1000 columns'),
    );
  });

  it('refuses a header that lacks required columns, naming them', async () => {
    const file = files.file(
      'fx.csv',
      '"CurrencyCode","USDPerUnit","Month"\r\n"AED","0.27224589249009701","201909"\r\n',
    );
    await expect(readAll(file)).rejects.toThrow(FileFault);
    await expect(readAll(file)).rejects.toThrow(
      'not a price sheet: the header lacks productId, skuId, market, currency, unitPrice, ' +
        'effectiveStartDate, effectiveEndDate',
    );
    const partial = files.file('partial.csv', '"ProductId","SkuId","Market","Currency","UnitPrice"\r\n');
    await expect(readAll(partial)).rejects.toThrow('the header lacks effectiveStartDate, effectiveEndDate');
  });

  it('refuses binary junk and empty files', async () => {
    const junk = Buffer.alloc(5000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
    await expect(readAll(files.file('junk.bin', junk))).rejects.toThrow(FileFault);
    await expect(readAll(files.file('empty.csv', ''))).rejects.toThrow('the file is empty: no header row');
  });
});
