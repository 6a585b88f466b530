import { blobCreatedEvent, createdBlobName } from '../../../shared/uploads/blobEvents';
import { decodeMessage, encodeMessage, MalformedMessage } from '../../../shared/storage/queues';

/**
 * What Event Grid writes into the upload queues, decoded as the handlers see it. The samples are the
 * BlobCreated events of Microsoft Learn, "Azure Blob Storage as an Event Grid source"
 * (https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage), in the Event Grid schema
 * and in the CloudEvents 1.0 schema; a storage-queue destination writes one event per message,
 * Base64-encoded (MicrosoftDocs/azure-docs#102923).
 */

const EVENT_GRID_SAMPLE = `{
  "topic": "/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account",
  "subject": "/blobServices/default/containers/test-container/blobs/new-file.txt",
  "eventType": "Microsoft.Storage.BlobCreated",
  "eventTime": "2017-06-26T18:41:00.9584103Z",
  "id": "831e1650-001e-001b-66ab-eeb76e069631",
  "data": {
    "api": "PutBlockList",
    "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
    "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
    "eTag": "\\"0x8D4BCC2E4835CD0\\"",
    "contentType": "text/plain",
    "contentLength": 524288,
    "blobType": "BlockBlob",
    "url": "https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt",
    "sequencer": "00000000000004420000000000028963",
    "storageDiagnostics": {
      "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"
    }
  },
  "dataVersion": "",
  "metadataVersion": "1"
}`;

const CLOUD_EVENTS_SAMPLE = `{
  "source": "/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account",
  "subject": "/blobServices/default/containers/test-container/blobs/new-file.txt",
  "type": "Microsoft.Storage.BlobCreated",
  "time": "2017-06-26T18:41:00.9584103Z",
  "id": "831e1650-001e-001b-66ab-eeb76e069631",
  "data": {
    "api": "PutBlockList",
    "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
    "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
    "eTag": "\\"0x8D4BCC2E4835CD0\\"",
    "contentType": "text/plain",
    "contentLength": 524288,
    "blobType": "BlockBlob",
    "url": "https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt",
    "sequencer": "00000000000004420000000000028963",
    "storageDiagnostics": {
      "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"
    }
  },
  "specversion": "1.0"
}`;

/** The message text Event Grid puts on the queue: the event's JSON, Base64-encoded. */
const queued = (json: string) => Buffer.from(json, 'utf8').toString('base64');

describe('BlobCreated events from the upload queues', () => {
  it.each([
    ['Event Grid schema', EVENT_GRID_SAMPLE],
    ['CloudEvents 1.0 schema', CLOUD_EVENTS_SAMPLE],
  ])('reads the blob of Microsoft’s %s sample however the trigger hands it over', (_schema, json) => {
    const forms: [string, unknown][] = [
      ['parsed by the worker (messageEncoding base64, the default)', JSON.parse(json)],
      ['still Base64 text (messageEncoding none)', queued(json)],
      ['plain JSON text (Event Grid before it encoded messages)', json],
      ['an array of one event (a webhook batch)', `[${json}]`],
    ];
    for (const [form, message] of forms)
      expect({ form, blob: createdBlobName(message, 'test-container') }).toEqual({ form, blob: 'new-file.txt' });
  });

  it('decodes the Base64 text as the trigger does', () => {
    expect(decodeMessage(queued(EVENT_GRID_SAMPLE))).toEqual(JSON.parse(EVENT_GRID_SAMPLE));
  });

  it('ignores another container and another event type', () => {
    expect(createdBlobName(JSON.parse(EVENT_GRID_SAMPLE), 'other-container')).toBeNull();
    const deleted = { ...JSON.parse(EVENT_GRID_SAMPLE), eventType: 'Microsoft.Storage.BlobDeleted' };
    expect(createdBlobName(deleted, 'test-container')).toBeNull();
  });

  it('refuses a message that is no event, naming what is missing', () => {
    expect(() => createdBlobName(queued('{"eventType":"Microsoft.Storage.BlobCreated"}'), 'c')).toThrow(
      new MalformedMessage('upload event refused: not an Event Grid event (subject)'),
    );
    expect(() => createdBlobName('not json at all', 'c')).toThrow(MalformedMessage);
  });

  it('writes locally the event Event Grid writes, which reads back to the same blob (URL-encoded names included)', () => {
    const name = 'drop/Prices 2026 #1.csv';
    const event = blobCreatedEvent({
      url: `http://127.0.0.1:10000/devstoreaccount1/price-uploads/${encodeURIComponent(name)}`,
      container: 'price-uploads',
      name,
      etag: '"0x8D4BCC2E4835CD0"',
    });
    expect(event).toMatchObject({
      eventType: 'Microsoft.Storage.BlobCreated',
      subject: '/blobServices/default/containers/price-uploads/blobs/drop/Prices%202026%20%231.csv',
      topic: expect.stringMatching(/\/providers\/Microsoft\.Storage\/storageAccounts\/devstoreaccount1$/),
      data: { api: 'PutBlob', blobType: 'BlockBlob', eTag: '"0x8D4BCC2E4835CD0"' },
    });
    expect(createdBlobName(encodeMessage(event), 'price-uploads')).toBe(name);
  });
});
