import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { processPriceUpload, type UploadOutcome, type UploadReport } from '../../shared/uploads/priceDrop';
import { uploadAreas } from '../../shared/uploads/areas';
import { ensureStorage } from '../../shared/storage/ensure';
import type { StorageClients } from '../../shared/storage/clients';
import type { Settings } from '../../shared/config/settings';

/** Drops files into the price upload container and runs the handler on them, as the trigger would. */
export function uploadHarness(storage: StorageClients, settings: Settings) {
  const areas = uploadAreas(storage);
  const list = async (container: 'uploads' | 'processed' | 'quarantine') => {
    const names: string[] = [];
    for await (const b of areas[container].listBlobsFlat()) names.push(b.name);
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
    process(name: string): Promise<UploadOutcome> {
      return processPriceUpload({ storage, settings, logger: createLogger(memorySink()), blobName: name });
    },
    async report(container: 'processed' | 'quarantine', name: string): Promise<UploadReport> {
      return JSON.parse(
        (await areas[container].getBlobClient(`${name}.report.json`).downloadToBuffer()).toString('utf8'),
      ) as UploadReport;
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

export function reported(outcome: UploadOutcome): Exclude<UploadOutcome, { status: 'gone' }> {
  if (outcome.status === 'gone') throw new Error(`upload ${outcome.upload.name} was gone`);
  return outcome;
}
