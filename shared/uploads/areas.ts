import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import type { StorageClients } from '../storage/clients';
import { statusOf } from '../storage/errors';
import { moveBlob, type MoveResult } from '../storage/blobMove';
import { processedContainer, quarantineContainer } from '../storage/names';

/**
 * Where a price upload ends up, and how it gets there without ever being lost:
 *   {uploads}-processed/{name}  and  {name}.report.json     handled (stored, or a duplicate)
 *   {uploads}-quarantine/{name} and  {name}.report.json     refused, with the reason
 * When `{name}` there already belongs to an earlier upload of the same name with other content
 * (another ETag), this one becomes `{name}~{etag}`: nothing earlier is overwritten.
 * Order: report, copy, delete the upload (only the version that was read: If-Match on its ETag).
 * A crash at any point leaves the upload in place; the next delivery finds the report that names
 * this ETag and only finishes the move.
 */

export interface UploadedBlob {
  name: string;
  /** ETag without quotes: the version of the upload that was read. */
  etag: string;
  lastModified: Date;
  bytes: number;
  metadata: Record<string, string>;
}

export type UploadArea = 'processed' | 'quarantine';

export interface UploadAreas {
  uploads: ContainerClient;
  processed: ContainerClient;
  quarantine: ContainerClient;
}

/** The part of a report this module relies on. */
export interface PlacedReport {
  upload: { etag: string };
}

export function uploadAreas(storage: StorageClients): UploadAreas {
  const uploads = storage.names.containers.priceUploads;
  return {
    uploads: storage.blobs.getContainerClient(uploads),
    processed: storage.blobs.getContainerClient(processedContainer(uploads)),
    quarantine: storage.blobs.getContainerClient(quarantineContainer(uploads)),
  };
}

export const reportNameOf = (placedName: string) => `${placedName}.report.json`;

const candidateNames = (upload: UploadedBlob) => [
  upload.name,
  `${upload.name}~${upload.etag.replace(/[^A-Za-z0-9]/g, '')}`,
];

async function readJson<T>(blob: BlobClient): Promise<T | null> {
  try {
    return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as T;
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

/** A report an earlier attempt wrote for this very version of the upload, and where. */
export async function earlierReport<T extends PlacedReport>(
  areas: UploadAreas,
  upload: UploadedBlob,
): Promise<{ area: UploadArea; placedName: string; report: T } | null> {
  for (const area of ['processed', 'quarantine'] as const) {
    for (const placedName of candidateNames(upload)) {
      const report = await readJson<T>(areas[area].getBlobClient(reportNameOf(placedName)));
      if (report?.upload.etag === upload.etag) return { area, placedName, report };
    }
  }
  return null;
}

/** The first name in the area that is free or already this upload's. */
export async function placedNameIn(container: ContainerClient, upload: UploadedBlob): Promise<string> {
  const [plain, byEtag] = candidateNames(upload);
  const existing = await readJson<PlacedReport>(container.getBlobClient(reportNameOf(plain)));
  const taken = existing !== null || (await container.getBlobClient(plain).exists());
  return !taken || existing?.upload.etag === upload.etag ? plain : byEtag;
}

export async function writeReportJson(container: ContainerClient, placedName: string, report: unknown): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await container
    .getBlockBlobClient(reportNameOf(placedName))
    .upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } });
}

/** Moves this version of the upload to an area (see moveBlob). */
export function moveUpload(
  areas: UploadAreas,
  area: UploadArea,
  placedName: string,
  upload: UploadedBlob,
): Promise<MoveResult> {
  return moveBlob(areas.uploads.getBlobClient(upload.name), areas[area].getBlobClient(placedName), upload);
}
