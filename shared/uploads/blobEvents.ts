import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { MalformedMessage, messageBody } from '../storage/queues';
import type { UploadContainer } from './placement';

/**
 * The storage account's BlobCreated events, as an Event Grid subscription with a storage-queue
 * destination writes them: one event per queue message (never the array a webhook receives), in the
 * Event Grid schema (`eventType`, `subject`, `data.url`) — infra/modules/events.bicep asks for it —
 * or, should a subscription be switched to CloudEvents 1.0, with `type` instead of `eventType`.
 * Event Grid Base64-encodes the message text (MicrosoftDocs/azure-docs#102923), which the Functions
 * queue trigger decodes by default; messageBody copes with text the trigger did not decode.
 * The local runner's watcher writes the same events (blobCreatedEvent).
 */

export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';

const eventSchema = z
  .object({
    eventType: z.string().optional(),
    type: z.string().optional(),
    subject: z.string().min(1),
    data: z.object({ eTag: z.string().optional(), url: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

/**
 * The blob a BlobCreated event names, when it is in `container` (URL-decoded, as stored); null for
 * another event type or another container. A message that is no event at all is a MalformedMessage.
 */
export function createdBlobName(message: unknown, container: string): string | null {
  const body = messageBody(message);
  // An array is what a webhook receives; a queue message holds one event, but one in an array is the same event.
  const event = Array.isArray(body) && body.length === 1 ? (body[0] as unknown) : body;
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || 'event').join(', ');
    throw new MalformedMessage(`upload event refused: not an Event Grid event (${fields})`);
  }
  const type = parsed.data.eventType ?? parsed.data.type;
  if (type !== BLOB_CREATED) return null;
  const prefix = `/blobServices/default/containers/${container}/blobs/`;
  const { subject } = parsed.data;
  return subject.startsWith(prefix) ? decodeURIComponent(subject.slice(prefix.length)) : null;
}

/** A BlobCreated event in the Event Grid schema, as Event Grid writes it for a block blob just uploaded. */
export function blobCreatedEvent(blob: {
  /** The blob's URL (its account, container and name). */
  url: string;
  container: string;
  name: string;
  etag: string;
  contentType?: string;
  contentLength?: number;
}): Record<string, unknown> {
  const account = new URL(blob.url).pathname.split('/')[1] ?? '';
  return {
    topic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/${account}`,
    subject: `/blobServices/default/containers/${blob.container}/blobs/${encodeURIComponent(blob.name).replace(/%2F/g, '/')}`,
    eventType: BLOB_CREATED,
    id: randomUUID(),
    data: {
      api: 'PutBlob',
      clientRequestId: randomUUID(),
      requestId: randomUUID(),
      eTag: blob.etag,
      contentType: blob.contentType ?? 'application/octet-stream',
      contentLength: blob.contentLength ?? 0,
      blobType: 'BlockBlob',
      url: blob.url,
      sequencer: '0000000000000000000000000000000000000000000000000',
      storageDiagnostics: { batchId: randomUUID() },
    },
    dataVersion: '',
    metadataVersion: '1',
    eventTime: new Date().toISOString(),
  };
}

/**
 * The upload an event names in this upload container, or null (logged) for an event of another
 * container or type: the subscription filters both, so that is a misrouted event, not a failure.
 */
export function uploadEventBlob(
  message: unknown,
  storage: StorageClients,
  container: UploadContainer,
  logger: Logger,
): string | null {
  const name = storage.names.containers[container];
  const blobName = createdBlobName(message, name);
  if (blobName === null) logger.warn(`ignoring an event that is no BlobCreated of a blob in ${name}`);
  return blobName;
}

/**
 * Settings for the poison function of an upload queue: the host already gave up on the event, so the
 * upload is refused at once, with the last error its attempts left (shared/uploads/placement: refused).
 */
export function withDeliveriesExhausted<S extends Pick<Settings, 'UPLOAD_MAX_ATTEMPTS'>>(settings: S): S {
  return { ...settings, UPLOAD_MAX_ATTEMPTS: 0 };
}
