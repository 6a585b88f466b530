import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { registeredFunctions, type QueueRegistration } from '../../runtime/registry';
import { encodeMessage } from '../../shared/storage/queues';
import type { PriceUploadReport } from '../../shared/uploads/priceDrop';
import { testStorage } from '../helpers/storage';
import { uploadContainers } from '../helpers/uploads';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';

/**
 * The upload handlers as Azure runs them: the Functions host's queue trigger hands them the storage
 * account's BlobCreated event that Event Grid wrote into the upload queue (decoded and parsed by the
 * worker; or still Base64 text, should the trigger not decode it), here with STORAGE_NAME_PREFIX set.
 */

const { settings, storage } = testStorage();
const prices = uploadContainers(storage, 'priceUploads');
const customers = uploadContainers(storage, 'customerUploads');

beforeAll(() => {
  // The handlers read their settings from the environment, as under the Functions host.
  process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
  process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  require('../../functions/priceUploads');
  require('../../functions/customerUploads');
});

function eventHandlerOf(name: string): QueueRegistration['handler'] {
  const registration = registeredFunctions().find((r) => r.name === name);
  if (registration?.kind !== 'queue' || !registration.uploads)
    throw new Error(`${name} is not registered as an upload function`);
  return registration.handler;
}

/** A Microsoft.Storage.BlobCreated event as Event Grid delivers it for a blob just uploaded. */
async function blobCreated(areas: typeof prices.areas, name: string): Promise<Record<string, unknown>> {
  const blob = areas.uploads.getBlobClient(name);
  const properties = await blob.getProperties();
  const account = blob.accountName;
  return {
    id: randomUUID(),
    topic: `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${account}`,
    subject: `/blobServices/default/containers/${areas.uploads.containerName}/blobs/${name}`,
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: new Date().toISOString(),
    data: {
      api: 'PutBlob',
      clientRequestId: randomUUID(),
      requestId: randomUUID(),
      eTag: properties.etag,
      contentType: properties.contentType,
      contentLength: properties.contentLength,
      blobType: 'BlockBlob',
      url: blob.url,
      sequencer: '00000000000000000000000000000000000000000000000',
      storageDiagnostics: { batchId: randomUUID() },
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}

function context(functionName: string): { context: InvocationContext; warnings: string[] } {
  const warnings: string[] = [];
  const invocation = new InvocationContext({
    functionName,
    logHandler: (level, ...args) => level === 'warning' && warnings.push(args.join(' ')),
  });
  return { context: invocation, warnings };
}

describe('upload handlers on their Event Grid queues, with STORAGE_NAME_PREFIX set', () => {
  it('the price upload handler processes a sheet dropped into the prefixed container', async () => {
    expect(prices.areas.uploads.containerName).toBe(`${settings.STORAGE_NAME_PREFIX}-price-uploads`);
    const name = 'drop/sheet.csv';
    await prices.drop(name, sheetCsv([consumptionRow({ MeterIds: meterId(91_001) })]));
    const { context: invocation, warnings } = context('priceUploads');

    await eventHandlerOf('priceUploads')(await blobCreated(prices.areas, name), invocation);

    expect(warnings).toEqual([]);
    expect(await prices.list('uploads')).toEqual([]);
    expect(await prices.list('processed')).toEqual([name, `${name}.report.json`]);
    const report = JSON.parse(await prices.text('processed', `${name}.report.json`)) as PriceUploadReport;
    expect(report).toMatchObject({ status: 'processed', market: 'US', counts: { added: 1 } });
  });

  it('the customer upload handler processes a file dropped into the prefixed container', async () => {
    const name = 'customers.csv';
    await customers.drop(name, 'country,organizationRegistrationNumber,phoneNumber\nBY,200988541,8 029 491 19 11\n');
    const { context: invocation, warnings } = context('customerUploads');

    // As Base64 text: what the handler gets when the trigger's messageEncoding is `none`.
    await eventHandlerOf('customerUploads')(encodeMessage(await blobCreated(customers.areas, name)), invocation);

    expect(warnings).toEqual([]);
    expect(await customers.list('uploads')).toEqual([]);
    expect(await customers.list('processed')).toEqual([name, `${name}.report.csv`, `${name}.report.json`]);
  });

  it('skips an event for another container and leaves that blob alone', async () => {
    const name = 'not-for-prices.csv';
    await customers.drop(name, 'country\nBY\n');
    const { context: invocation, warnings } = context('priceUploads');

    await eventHandlerOf('priceUploads')(await blobCreated(customers.areas, name), invocation);

    expect(warnings).toEqual([expect.stringMatching(/no BlobCreated of a blob in .*-price-uploads/)]);
    expect(await customers.areas.uploads.getBlobClient(name).exists()).toBe(true);
    expect(await prices.list('processed')).not.toContain(name);
  });
});
