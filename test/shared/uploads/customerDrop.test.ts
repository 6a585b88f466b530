import { createHash } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { BlobClient } from '@azure/storage-blob';
import { processCustomerUpload, type CustomerUploadReport } from '../../../shared/uploads/customerDrop';
import { blobCreatedEvent } from '../../../shared/uploads/blobEvents';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { registeredFunctions } from '../../../runtime/registry';
import { testStorage } from '../../helpers/storage';
import { reported, uploadContainers } from '../../helpers/uploads';
import { queueHandlerOf } from '../../helpers/functions';

const { settings, storage } = testStorage();
const h = uploadContainers(storage, 'customerUploads');
const processedName = h.areas.processed.containerName;
const quarantineName = h.areas.quarantine.containerName;

const CSV = [
  'customerRef,country,organizationRegistrationNumber,phoneNumber,firstName,lastName,email',
  'C-100,RU,7709442668,+79123456789,Anna,Ivanova,anna@example.ru',
  'C-101,KZ,990940003031,+79123456789,Aigerim,Nurlanova,aigerim@example.kz',
  'C-102,BY,,,Pavel,,',
].join('\n');
const PERSONAL = [
  '7709442668',
  '990940003031',
  '9123456789',
  'Anna',
  'Ivanova',
  'Aigerim',
  'Nurlanova',
  'example.ru',
  'example.kz',
  'Pavel',
];
const JSONL = '{"ref":"x","country":"UA","organizationRegistrationNumber":"32855961","phoneNumber":"0501234567"}\n';

function logger() {
  const sink = memorySink();
  return { sink, logger: createLogger(sink) };
}

async function handle(name: string) {
  const { sink, logger: log } = logger();
  const outcome = await processCustomerUpload(storage, settings, name, log);
  return { outcome, logs: sink.lines.join('\n') };
}

async function report(area: 'processed' | 'quarantine', name: string): Promise<CustomerUploadReport> {
  return JSON.parse(await h.text(area, `${name}.report.json`)) as CustomerUploadReport;
}

const withName = (prefix: string) => (names: string[]) => names.filter((n) => n.startsWith(prefix));

describe('customer uploads (blob drop)', () => {
  it("is registered as the queue function of the customer upload container's events", () => {
    // Registration happens when the function file is loaded.
    require('../../../functions/customerUploads');
    expect(registeredFunctions().find((r) => r.name === 'customerUploads')).toMatchObject({
      kind: 'queue',
      queue: 'customerUploadEvents',
      poison: false,
      uploads: 'customerUploads',
    });
  });

  it('moves the input with its report.json and per-record report (in input order); logs no personal data', async () => {
    await h.drop('batches/2024-05.csv', CSV, { batch: 'may' });
    const { outcome, logs } = await handle('batches/2024-05.csv');

    const expected = {
      status: 'processed',
      reason: null,
      upload: {
        container: h.areas.uploads.containerName,
        name: 'batches/2024-05.csv',
        bytes: Buffer.byteLength(CSV),
        sha256: createHash('sha256').update(CSV).digest('hex'),
        metadata: { batch: 'may' },
      },
      summary: {
        format: 'csv',
        records: 3,
        valid: 1,
        invalid: 2,
        errors: { INN_CHECK_DIGIT: 1, INN_REQUIRED: 1, PHONE_REQUIRED: 1, PHONE_WRONG_COUNTRY: 1 },
        warnings: {},
        partnerCenterCodes: { '600049': 1, '600051': 1 },
      },
      recordReport: `${processedName}/batches/2024-05.csv.report.csv`,
      file: `${processedName}/batches/2024-05.csv`,
    };
    expect(outcome).toMatchObject({ ...expected, move: 'moved' });
    expect(await h.list('uploads')).toEqual([]);
    expect(await h.list('processed')).toEqual([
      'batches/2024-05.csv',
      'batches/2024-05.csv.report.csv',
      'batches/2024-05.csv.report.json',
    ]);
    expect(await h.text('processed', 'batches/2024-05.csv')).toBe(CSV);
    expect(await report('processed', 'batches/2024-05.csv')).toMatchObject(expected);

    const lines = (await h.text('processed', 'batches/2024-05.csv.report.csv')).trim().split('\n');
    expect(lines[0]).toBe(
      'record,customerRef,valid,country,organizationRegistrationNumber,phoneNumber,' +
        'errorCodes,partnerCenterCodes,errors,warnings',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3))).toEqual([
      ['1', 'C-100', 'true'],
      ['2', 'C-101', 'false'],
      ['3', 'C-102', 'false'],
    ]);

    expect(JSON.parse(logs.split('\n').find((l) => l.includes('"level":"event"')) as string)).toMatchObject({
      eventName: 'CustomerUploadHandled',
      status: 'processed',
      file: 'batches/2024-05.csv',
      records: 3,
      invalid: 2,
    });
    for (const value of PERSONAL) expect(logs).not.toContain(value);
  });

  it.each([
    ['broken.csv', 'country,organizationRegistrationNumber\nRU,"7709442668\n', /CSV_QUOTE_NOT_CLOSED/],
    // csv-parse's own message would quote the field ("value is \"77094\"…").
    ['stray-quote.csv', 'country,organizationRegistrationNumber\nRU,7709"442668\n', /^[^"]*line 2, column 2: a quote/],
    ['wide.csv', `country,organizationRegistrationNumber${','.repeat(1_000_000)}\n7709442668\n`, /1000 columns/],
    ['photo.csv', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]), /UTF-8|binary/],
    ['customers.xlsx', 'PK', /unsupported file type/],
  ])(
    'moves %s to quarantine with a report.json saying why, and leaves no per-record report',
    async (name, content, reason) => {
      await h.drop(name, content);
      const { outcome, logs } = await handle(name);

      const expected = {
        status: 'quarantined',
        reason: expect.stringMatching(reason) as string,
        upload: { name, sha256: null },
        summary: null,
        recordReport: null,
        file: `${quarantineName}/${name}`,
      };
      expect(outcome).toMatchObject({ ...expected, move: 'moved' });
      expect(await report('quarantine', name)).toMatchObject(expected);
      expect(withName(name)(await h.list('uploads'))).toEqual([]);
      expect(withName(name)(await h.list('quarantine'))).toEqual([name, `${name}.report.json`]);
      expect(withName(name)(await h.list('processed'))).toEqual([]);
      expect(logs).toContain('"eventName":"CustomerUploadHandled"');
      expect(logs).toContain('"status":"quarantined"');
      expect(logs).not.toContain('7709442668');
      expect(logs).not.toContain('value is');
    },
  );

  it('does nothing for a second delivery of the same event', async () => {
    await h.drop('twice.jsonl', JSONL);
    await handle('twice.jsonl');
    const before = await h.list('processed');
    expect((await handle('twice.jsonl')).outcome).toEqual({ status: 'gone', upload: { name: 'twice.jsonl' } });
    expect(await h.list('processed')).toEqual(before);
  });

  it('never overwrites an earlier upload of the same name: the later one is placed under {name}~{etag}', async () => {
    await h.drop('monthly.jsonl', JSONL);
    const first = reported((await handle('monthly.jsonl')).outcome);
    const firstRecords = await h.text('processed', 'monthly.jsonl.report.jsonl');

    const other = JSONL.replace('32855961', '32855962');
    await h.drop('monthly.jsonl', other);
    const second = reported((await handle('monthly.jsonl')).outcome);
    const placed = `monthly.jsonl~${second.upload.etag.replace(/[^A-Za-z0-9]/g, '')}`;
    expect(second).toMatchObject({
      status: 'processed',
      file: `${processedName}/${placed}`,
      recordReport: `${processedName}/${placed}.report.jsonl`,
      summary: { records: 1, valid: 0 },
    });
    expect(withName('monthly.jsonl')(await h.list('processed'))).toEqual(
      [
        'monthly.jsonl',
        'monthly.jsonl.report.json',
        'monthly.jsonl.report.jsonl',
        placed,
        `${placed}.report.json`,
        `${placed}.report.jsonl`,
      ].sort(),
    );
    expect(await h.text('processed', 'monthly.jsonl')).toBe(JSONL);
    expect(await h.text('processed', placed)).toBe(other);
    expect(await h.text('processed', 'monthly.jsonl.report.jsonl')).toBe(firstRecords);
    expect(await report('processed', 'monthly.jsonl')).toMatchObject({ upload: { etag: first.upload.etag } });
  });

  it('after a crash between the report and the move, the next delivery only finishes the move', async () => {
    await h.drop('crash.csv', CSV);
    const copy = jest
      .spyOn(BlobClient.prototype, 'beginCopyFromURL')
      .mockRejectedValueOnce(new Error('process killed'));
    await expect(handle('crash.csv')).rejects.toThrow('process killed');
    copy.mockRestore();
    expect(withName('crash.csv')(await h.list('uploads'))).toEqual(['crash.csv']);
    const written = await report('processed', 'crash.csv');
    const records = await h.areas.processed.getBlobClient('crash.csv.report.csv').getProperties();

    const { outcome } = await handle('crash.csv');
    expect(outcome).toEqual({ ...written, move: 'moved' });
    expect(withName('crash.csv')(await h.list('uploads'))).toEqual([]);
    expect(withName('crash.csv')(await h.list('processed'))).toEqual([
      'crash.csv',
      'crash.csv.report.csv',
      'crash.csv.report.json',
    ]);
    // Not validated again: the per-record report is the one the first attempt wrote.
    expect((await h.areas.processed.getBlobClient('crash.csv.report.csv').getProperties()).etag).toBe(records.etag);
  });

  it('runs through the registered handler with an InvocationContext', async () => {
    // The handler reads its settings from the environment, as under the Functions host.
    const saved = { ...process.env };
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    try {
      const customerUploadsHandler = queueHandlerOf('customerUploads');
      await h.drop('via-handler.csv', CSV);
      const logs: string[] = [];
      const context = new InvocationContext({
        functionName: 'customerUploads',
        logHandler: (_level, ...args) => logs.push(args.join(' ')),
      });
      // What the queue trigger hands over: the BlobCreated event Event Grid wrote, decoded.
      const blob = h.areas.uploads.getBlobClient('via-handler.csv');
      const event = blobCreatedEvent({
        url: blob.url,
        container: h.areas.uploads.containerName,
        name: 'via-handler.csv',
        etag: (await blob.getProperties()).etag ?? '',
      });
      expect(await customerUploadsHandler(event, context)).toMatchObject({ status: 'processed' });
      expect(logs.join('\n')).toContain('CustomerUploadHandled');
      for (const value of PERSONAL) expect(logs.join('\n')).not.toContain(value);
    } finally {
      process.env = saved;
    }
  });
});
