import { DateTime } from 'luxon';
import { nowInstant } from '../core/dates';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { ifFound } from '../storage/errors';
import { digestEvent } from './cloudEvents';
import { buildDigest, type Digest } from './digest';
import { digestHtml, digestMarkdown, digestTeamsMessage } from './digestRender';
import { enqueue, type NotifyContext } from './outbox';
import { listSubscriptions } from './subscriptionStore';

/**
 * Daily digests: built for every subscription that asks for one, stored as blobs
 * (`digests/{subscriptionId}/{day}.html` and `.md` in the notifications container, listed by GET
 * /api/digests) and put in the outbox once per subscription and day (id `digest.{subscriptionId}.{day}`),
 * so a second run of the same day stores the same documents again and sends nothing twice.
 */

const DIGEST_FORMATS = { html: 'html', markdown: 'md' } as const;
export type DigestFormat = keyof typeof DIGEST_FORMATS;
const CONTENT_TYPES: Record<DigestFormat, string> = {
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
};
const PREFIX = 'digests/';

const container = (storage: StorageClients) => storage.blobs.getContainerClient(storage.names.containers.notifications);
const blobName = (subscriptionId: string, day: string, format: DigestFormat) =>
  `${PREFIX}${subscriptionId}/${day}.${DIGEST_FORMATS[format]}`;

/** The UTC day a digest run covers: the day before `now`. */
export const digestDay = (now = new Date()) =>
  DateTime.fromJSDate(now, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;

/** Builds, stores and enqueues the day's digest of every subscription that asks for one; returns how many. */
export async function sendDigests(ctx: NotifyContext, day: string): Promise<Digest[]> {
  await ensureStorage(ctx.storage);
  const digests: Digest[] = [];
  for (const subscription of await listSubscriptions(ctx.storage)) {
    if (!subscription.digest) continue;
    const digest = await buildDigest(ctx.storage, subscription, day);
    const html = digestHtml(digest);
    const markdown = digestMarkdown(digest);
    for (const [format, text] of [
      ['html', html],
      ['markdown', markdown],
    ] as const) {
      await container(ctx.storage)
        .getBlockBlobClient(blobName(subscription.id, day, format))
        .upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: CONTENT_TYPES[format] } });
    }
    const id = `digest.${subscription.id}.${day}`;
    const counts = { ADD: 0, CHG: 0, DEL: 0 };
    for (const section of digest.sections)
      for (const code of ['ADD', 'CHG', 'DEL'] as const) counts[code] += section.counts[code];
    const body = subscription.digest.teamsUrl
      ? JSON.stringify(digestTeamsMessage(digest))
      : JSON.stringify(digestEvent(id, digest, nowInstant(), { counts, markdown }));
    const entry = {
      rowKey: id,
      subscriptionId: subscription.id,
      market: '',
      view: '',
      runId: '',
      code: 'DIGEST' as const,
      items: counts.ADD + counts.CHG + counts.DEL,
      committedAt: nowInstant(),
      ...(subscription.digest.teamsUrl ? { target: 'teams' as const } : {}),
    };
    await enqueue(ctx.storage, entry, body);
    digests.push(digest);
  }
  if (digests.length) ctx.logger.info('digests built', { day, digests: digests.length });
  return digests;
}

export interface StoredDigest {
  subscriptionId: string;
  day: string;
  formats: DigestFormat[];
}

/** Stored digests, newest day first; optionally of one subscription. */
export async function listDigests(storage: StorageClients, subscriptionId?: string): Promise<StoredDigest[]> {
  await ensureStorage(storage);
  const found = new Map<string, StoredDigest>();
  for await (const blob of container(storage).listBlobsFlat({
    prefix: `${PREFIX}${subscriptionId ? `${subscriptionId}/` : ''}`,
  })) {
    const match = /^digests\/([^/]+)\/(\d{4}-\d\d-\d\d)\.(html|md)$/.exec(blob.name);
    if (!match) continue;
    const [, id, day, extension] = match;
    const key = `${id}/${day}`;
    const entry = found.get(key) ?? { subscriptionId: id, day, formats: [] };
    entry.formats.push(extension === 'md' ? 'markdown' : 'html');
    found.set(key, entry);
  }
  return [...found.values()].sort(
    (a, b) => b.day.localeCompare(a.day) || a.subscriptionId.localeCompare(b.subscriptionId),
  );
}

/** One stored digest document with its content type, or null. */
export async function readDigest(
  storage: StorageClients,
  subscriptionId: string,
  day: string,
  format: DigestFormat,
): Promise<{ contentType: string; text: string } | null> {
  const buffer = await ifFound(
    container(storage)
      .getBlobClient(blobName(subscriptionId, day, format))
      .downloadToBuffer(),
  );
  return buffer && { contentType: CONTENT_TYPES[format], text: buffer.toString('utf8') };
}
