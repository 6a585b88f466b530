import { randomUUID } from 'node:crypto';
import { InvocationContext, type EventGridEvent } from '@azure/functions';
import { registeredFunctions, type BlobRegistration } from '../../runtime/registry';
import type { PriceUploadReport } from '../../shared/uploads/priceDrop';
import { testStorage } from '../helpers/storage';
import { uploadContainers } from '../helpers/uploads';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';

/**
 * The upload handlers as Azure runs them: the Functions host calls the Event Grid handler with the storage
 * account's BlobCreated event, here with STORAGE_NAME_PREFIX set (the local runner and the other tests call
 * `process` with a blob name and never go through the event).
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

function eventHandlerOf(name: string): BlobRegistration['eventHandler'] {
  const registration = registeredFunctions().find((r) => r.name === name);
  if (registration?.kind !== 'blob') throw new Error(`${name} is not registered as an upload function`);
  return registration.eventHandler;
}

/** A Microsoft.Storage.BlobCreated event as Event Grid delivers it for a blob just uploaded. */
async function blobCreated(areas: typeof prices.areas, name: string): Promise<EventGridEvent> {
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

describe('Event Grid upload handlers, with STORAGE_NAME_PREFIX set', () => {
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

    await eventHandlerOf('customerUploads')(await blobCreated(customers.areas, name), invocation);

    expect(warnings).toEqual([]);
    expect(await customers.list('uploads')).toEqual([]);
    expect(await customers.list('processed')).toEqual([name, `${name}.report.csv`, `${name}.report.json`]);
  });

  it('skips an event for another container and leaves that blob alone', async () => {
    const name = 'not-for-prices.csv';
    await customers.drop(name, 'country\nBY\n');
    const { context: invocation, warnings } = context('priceUploads');

    await eventHandlerOf('priceUploads')(await blobCreated(customers.areas, name), invocation);

    expect(warnings).toEqual([expect.stringMatching(/not in this function's container/)]);
    expect(await customers.areas.uploads.getBlobClient(name).exists()).toBe(true);
    expect(await prices.list('processed')).not.toContain(name);
  });
});
