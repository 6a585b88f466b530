import { InvocationContext } from '@azure/functions';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { processCustomerUpload } from '../../../shared/uploads/customerDrop';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { processedContainer, quarantineContainer } from '../../../shared/storage/names';
import { registeredFunctions } from '../../../runtime/registry';
import { testStorage } from '../../helpers/storage';

const { settings, storage } = testStorage();
const uploadsName = storage.names.containers.customerUploads;
const uploads = storage.blobs.getContainerClient(uploadsName);
const processed = storage.blobs.getContainerClient(processedContainer(uploadsName));
const quarantine = storage.blobs.getContainerClient(quarantineContainer(uploadsName));

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

beforeAll(async () => {
  await uploads.createIfNotExists();
});

async function upload(name: string, content: string | Buffer): Promise<void> {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  await uploads.getBlockBlobClient(name).upload(body, body.length);
}

async function read(container: ContainerClient, name: string): Promise<string> {
  return text((await container.getBlobClient(name).download()).readableStreamBody as Readable);
}

async function names(container: ContainerClient): Promise<string[]> {
  const all: string[] = [];
  for await (const blob of container.listBlobsFlat()) all.push(blob.name);
  return all.sort();
}

function logger() {
  const sink = memorySink();
  return { sink, logger: createLogger(sink) };
}

describe('customer uploads (blob drop)', () => {
  it('is registered as the blob function of the customer upload container', () => {
    // Registration happens when the function file is loaded.
    require('../../../functions/customerUploads');
    expect(registeredFunctions().find((r) => r.name === 'customerUploads')).toMatchObject({
      kind: 'blob',
      container: 'customerUploads',
    });
  });

  it('writes the report and summary next to the moved input, in input order, without logging personal data', async () => {
    await upload('batches/2024-05.csv', CSV);
    const { sink, logger: log } = logger();
    const outcome = await processCustomerUpload(storage, 'batches/2024-05.csv', log);

    expect(outcome).toMatchObject({ status: 'processed', report: 'batches/2024-05.csv.report.csv' });
    expect(await names(uploads)).toEqual([]);
    expect(await names(processed)).toEqual([
      'batches/2024-05.csv',
      'batches/2024-05.csv.report.csv',
      'batches/2024-05.csv.summary.json',
    ]);
    expect(await read(processed, 'batches/2024-05.csv')).toBe(CSV);

    const report = (await read(processed, 'batches/2024-05.csv.report.csv')).trim().split('\n');
    expect(report[0]).toBe(
      'record,customerRef,valid,country,organizationRegistrationNumber,phoneNumber,errorCodes,partnerCenterCodes,errors,warnings',
    );
    expect(report.slice(1).map((l) => l.split(',').slice(0, 3))).toEqual([
      ['1', 'C-100', 'true'],
      ['2', 'C-101', 'false'],
      ['3', 'C-102', 'false'],
    ]);
    const summary = JSON.parse(await read(processed, 'batches/2024-05.csv.summary.json'));
    expect(summary).toEqual({
      file: 'batches/2024-05.csv',
      report: 'batches/2024-05.csv.report.csv',
      format: 'csv',
      records: 3,
      valid: 1,
      invalid: 2,
      errors: { INN_CHECK_DIGIT: 1, INN_REQUIRED: 1, PHONE_REQUIRED: 1, PHONE_WRONG_COUNTRY: 1 },
      warnings: {},
      partnerCenterCodes: { '600049': 1, '600051': 1 },
    });

    const logs = sink.lines.join('\n');
    expect(logs).toContain('customerUploadProcessed');
    for (const value of PERSONAL) expect(logs).not.toContain(value);
  });

  it('gives the same report and no duplicates when the same file is processed again', async () => {
    await upload(
      'again.jsonl',
      '{"ref":"x","country":"UA","organizationRegistrationNumber":"32855961","phoneNumber":"0501234567"}\n',
    );
    await processCustomerUpload(storage, 'again.jsonl', logger().logger);
    const first = await read(processed, 'again.jsonl.report.jsonl');
    const firstSummary = await read(processed, 'again.jsonl.summary.json');
    const before = await names(processed);

    // A second drop of the same file, then a duplicate event delivery for it.
    await upload(
      'again.jsonl',
      '{"ref":"x","country":"UA","organizationRegistrationNumber":"32855961","phoneNumber":"0501234567"}\n',
    );
    await processCustomerUpload(storage, 'again.jsonl', logger().logger);
    expect(await processCustomerUpload(storage, 'again.jsonl', logger().logger)).toEqual({
      status: 'gone',
      file: 'again.jsonl',
    });

    expect(await read(processed, 'again.jsonl.report.jsonl')).toBe(first);
    expect(await read(processed, 'again.jsonl.summary.json')).toBe(firstSummary);
    expect(await names(processed)).toEqual(before);
    expect(JSON.parse(first)).toMatchObject({
      record: 1,
      extra: { ref: 'x' },
      valid: true,
      normalized: { phoneNumber: '+380501234567' },
    });
  });

  it.each([
    ['broken.csv', 'country,organizationRegistrationNumber\nRU,"7709442668\n', /CSV_QUOTE_NOT_CLOSED/],
    ['photo.csv', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]), /UTF-8|binary/],
    ['customers.xlsx', 'PK', /unsupported file type/],
  ])('moves %s to quarantine with a reason and leaves no report', async (name, content, reason) => {
    await upload(name, content);
    const { sink, logger: log } = logger();
    const outcome = await processCustomerUpload(storage, name, log);

    expect(outcome).toEqual({ status: 'quarantined', file: name, reason: expect.stringMatching(reason) });
    expect(await names(uploads)).toEqual([]);
    expect(await uploads.getBlobClient(name).exists()).toBe(false);
    expect(await quarantine.getBlobClient(name).exists()).toBe(true);
    expect(JSON.parse(await read(quarantine, `${name}.reason.json`))).toEqual({
      file: name,
      reason: expect.stringMatching(reason),
    });
    expect((await names(processed)).filter((n) => n.startsWith(name))).toEqual([]);
    expect(sink.lines.join('\n')).toContain('customerUploadQuarantined');
    expect(sink.lines.join('\n')).not.toContain('7709442668');
  });

  it('runs through the registered handler with an InvocationContext', async () => {
    // The handler reads its settings from the environment, as under the Functions host.
    const saved = { ...process.env };
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    try {
      const { customerUploadsHandler } = await import('../../../functions/customerUploads');
      await upload('via-handler.csv', CSV);
      const logs: string[] = [];
      const context = new InvocationContext({
        functionName: 'customerUploads',
        logHandler: (_level, ...args) => logs.push(args.join(' ')),
      });
      expect(await customerUploadsHandler('via-handler.csv', context)).toMatchObject({ status: 'processed' });
      expect(logs.join('\n')).toContain('customerUploadProcessed');
      for (const value of PERSONAL) expect(logs.join('\n')).not.toContain(value);
    } finally {
      process.env = saved;
    }
  });
});
