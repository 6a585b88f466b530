import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { processPriceUpload, type PriceUploadOutcome, type PriceUploadReport } from '../../shared/uploads/priceDrop';
import {
  uploadAreas,
  uploadIdentity,
  type Placement,
  type PlacedUpload,
  type UploadContainer,
  type UploadOutcome,
  type UploadReportBase,
} from '../../shared/uploads/placement';
import { ensureStorage } from '../../shared/storage/ensure';
import type { StorageClients } from '../../shared/storage/clients';
import type { Settings } from '../../shared/config/settings';

/** An upload container with its processed and quarantine areas: drop files, list and read what lands where. */
export function uploadContainers(storage: StorageClients, container: UploadContainer) {
  const areas = uploadAreas(storage, container);
  const list = async (area: 'uploads' | 'processed' | 'quarantine') => {
    const names: string[] = [];
    for await (const b of areas[area].listBlobsFlat()) names.push(b.name);
    return names.sort();
  };
  return {
    areas,
    list,
    async drop(name: string, content: string | Buffer, metadata: Record<string, string> = {}): Promise<void> {
      await ensureStorage(storage);
      const body = typeof content === 'string' ? Buffer.from(content) : content;
      await areas.uploads.getBlockBlobClient(name).upload(body, body.length, { metadata });
    },
    async text(area: 'processed' | 'quarantine', name: string): Promise<string> {
      return (await areas[area].getBlobClient(name).downloadToBuffer()).toString('utf8');
    },
  };
}

/** Drops files into the price upload container and runs the handler on them, as the trigger would. */
export function uploadHarness(storage: StorageClients, settings: Settings) {
  const containers = uploadContainers(storage, 'priceUploads');
  return {
    ...containers,
    process(name: string): Promise<PriceUploadOutcome> {
      return processPriceUpload({ storage, settings, logger: createLogger(memorySink()), blobName: name });
    },
    async report(area: 'processed' | 'quarantine', name: string): Promise<PriceUploadReport> {
      return JSON.parse(await containers.text(area, `${name}.report.json`)) as PriceUploadReport;
    },
  };
}

/** A zip archive of the given entries (name → text), as Partner Center's "compressed delimited text". */
export async function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  const out = zip.outputStream.pipe(new PassThrough());
  for await (const chunk of out) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The placed report of an outcome (fails the test when the upload was gone). */
export function reported<R extends UploadReportBase>(outcome: UploadOutcome<R>): PlacedUpload<R> {
  if (outcome.status === 'gone') throw new Error(`upload ${outcome.upload.name} was gone`);
  return outcome as PlacedUpload<R>;
}

/** The quarantined report of an upload kind that adds nothing to the base report (placement tests). */
export const refusedReport = (placement: Placement, reason: string) => ({
  status: 'quarantined',
  reason,
  upload: uploadIdentity(placement, null),
});
