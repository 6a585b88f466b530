import zlib from 'node:zlib';
import { ingestPlan } from '../../../cli/commands/ingest';
import { UsageError } from '../../../cli/options';
import { FileFault } from '../../../shared/files/fault';
import { planUpload } from '../../../shared/uploads/plan';
import type { FilePlan } from '../../../shared/uploads/classify';
import { fxCsv } from '../../helpers/apiFixtures';
import { tempFiles, zipOf } from '../../helpers/files';
import { licenseCsv, licenseRow } from '../../helpers/licenseSheets';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';

/**
 * The CLI (`ingest <file>` with options) and a blob drop (labels in the metadata or the folders) decide
 * through the one classifier: on the same file with the same labels, the same plan or the same refusal.
 */

const files = tempFiles();

const FILES: Record<string, () => Promise<string>> = {
  'a US consumption sheet': async () =>
    files.file('consumption.csv', sheetCsv([consumptionRow({ MeterIds: meterId(95_001) })])),
  'a gzipped reservations sheet': async () =>
    files.file(
      'reservations.csv.gz',
      zlib.gzipSync(
        sheetCsv([consumptionRow({ TermDuration: 'P1Y', Tags: 'Reservation', MeterIds: meterId(95_002) })]),
      ),
    ),
  'a zipped DE license-based sheet': async () =>
    files.file('license.zip', await zipOf({ 'DE.csv': licenseCsv([licenseRow({ Market: 'DE', Currency: 'EUR' })]) })),
  'a sheet without view tags': async () =>
    files.file('untagged.csv', sheetCsv([consumptionRow({ Tags: 'Azure', MeterIds: meterId(95_003) })])),
  'a sheet of two markets': async () =>
    files.file(
      'mixed.csv',
      sheetCsv([
        consumptionRow({ MeterIds: meterId(95_004) }),
        consumptionRow({ Market: 'DE', MeterIds: meterId(95_005) }),
      ]),
    ),
  'a sheet without a valid row': async () =>
    files.file('invalid.csv', sheetCsv([consumptionRow({ UnitPrice: 'abc', MeterIds: meterId(95_006) })])),
  'a Partner Center FX file': async () => files.file('fx.csv', fxCsv({ EUR: '1.08' })),
  'a file that is no price sheet': async () => files.file('names.csv', '"Name","Price"\r\n"x","1"\r\n'),
};

type Labels = { market?: string; view?: string; timeline?: string; asOf?: string };
const LABELS: Labels[] = [
  {},
  { market: 'US' },
  { market: 'DE' },
  { view: 'azure_consumption' },
  { view: 'updatedlicensebased' },
  { timeline: 'future' },
  { asOf: '2026-11-02' },
  { market: 'US', view: 'azure_consumption', timeline: 'current' },
];

type Decision = { plan: Omit<FilePlan, 'from'> } | { refused: string };

/** A refusal's reason with the label origins and the places to name a label left out, which differ by caller. */
const normalised = (reason: string) =>
  reason
    .replace(/in the path or metadata|with --(market|view)/g, '<where>')
    .replace(/the metadata|the path|--market|--view|--timeline|--as-of/g, '<label>')
    .replace(/<label>(, <label>)+/g, '<label>');

async function decide(refusal: new (...args: never[]) => Error, plan: () => Promise<FilePlan>): Promise<Decision> {
  try {
    const { from: _from, ...rest } = await plan();
    return { plan: rest };
  } catch (e) {
    if (!(e instanceof refusal)) throw e;
    return { refused: normalised(e.message) };
  }
}

function viaCli(file: string, labels: Labels): Promise<Decision> {
  const values = { market: labels.market, view: labels.view, timeline: labels.timeline, 'as-of': labels.asOf };
  return decide(UsageError, () => ingestPlan(file, values));
}

function viaBlob(file: string, name: string, metadata: Record<string, string>): Promise<Decision> {
  const upload = { name, etag: '0x1', lastModified: new Date(), bytes: 1, metadata };
  return decide(FileFault, async () => {
    const { notes: _notes, ...plan } = await planUpload(file, upload);
    return plan;
  });
}

const CASES = Object.keys(FILES).flatMap((file) => LABELS.map((labels) => [file, labels] as const));

describe('one classifier for the CLI and blob drops', () => {
  it.each(CASES)('%s with labels %j: the same plan or the same refusal', async (what, labels) => {
    const file = await FILES[what]();
    const cli = await viaCli(file, labels);
    const { asOf, ...rest } = labels;
    const metadata = { ...rest, ...(asOf ? { asof: asOf } : {}) } as Record<string, string>;
    const folders = Object.values(labels).join('/');

    expect(await viaBlob(file, 'drop/file', metadata)).toEqual(cli);
    expect(await viaBlob(file, `${folders}${folders ? '/' : ''}file`, {})).toEqual(cli);
  });

  it('decides as the rules say on a few of them', async () => {
    const consumption = await FILES['a US consumption sheet']();
    expect(await viaCli(consumption, {})).toEqual({
      plan: {
        kind: 'price-sheet',
        market: 'US',
        view: 'azure_consumption',
        timeline: 'current',
        asOf: new Date().toISOString().slice(0, 10),
      },
    });
    expect(await viaCli(consumption, { market: 'DE' })).toEqual({
      refused: '<label> says market DE but the rows say US',
    });
    expect(await viaCli(consumption, { timeline: 'future' })).toEqual({
      refused: 'a future price list exists only for updatedlicensebased, not azure_consumption',
    });
    expect(await viaCli(await FILES['a sheet of two markets'](), { market: 'US' })).toEqual({
      refused: 'the file mixes markets DE, US; one market per file',
    });
    const invalid = await FILES['a sheet without a valid row']();
    expect(await viaCli(invalid, { market: 'DE', view: 'azure_consumption' })).toMatchObject({
      plan: { market: 'DE', view: 'azure_consumption' },
    });
    expect(await viaCli(invalid, { view: 'azure_consumption' })).toEqual({
      refused: 'no valid rows to read the market from, and no market <where>',
    });
    expect(await viaCli(await FILES['a Partner Center FX file'](), { asOf: '2026-11-02' })).toEqual({
      plan: {
        kind: 'exchange-rates',
        format: 'partnercenter-fx-csv',
        market: null,
        view: null,
        timeline: null,
        asOf: '2026-11-02',
      },
    });
  });

  it('names the option as typed in a CLI refusal, and the label origin in an upload refusal', async () => {
    const fx = await FILES['a Partner Center FX file']();
    await expect(ingestPlan(fx, { market: 'US', view: 'azure_consumption' })).rejects.toThrow(
      new UsageError('an exchange-rate file takes no market, view (given by --market, --view)'),
    );
    const untagged = await FILES['a sheet without view tags']();
    await expect(ingestPlan(untagged, {})).rejects.toThrow(/; name it with --view \(azure_consumption, /);
    const upload = { name: 'azure_consumption/fx.csv', etag: '0x1', lastModified: new Date(), bytes: 1, metadata: {} };
    await expect(planUpload(fx, { ...upload, metadata: { market: 'US' } })).rejects.toThrow(
      new FileFault('an exchange-rate file takes no market, view (given by the metadata, the path)'),
    );
  });
});
