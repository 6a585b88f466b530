import type { UploadedBlob } from './placement';
import { readUploadLabels } from './labels';
import { classifyFile, type FilePlan } from './classify';

/** What to do with a price or rate upload: the classifier's plan, plus notes on its labels. */
export type UploadPlan = FilePlan & { notes: string[] };

/**
 * Classifies an upload with the labels of its folders and metadata; as-of defaults to the day the
 * blob was uploaded (UTC). Refusals (FileFault) name the metadata or the path.
 */
export async function planUpload(file: string, upload: UploadedBlob): Promise<UploadPlan> {
  const { labels, notes } = readUploadLabels(upload.name, upload.metadata);
  const plan = await classifyFile(file, labels, {
    defaultAsOf: { day: upload.lastModified.toISOString().slice(0, 10), from: 'upload day' },
    givenBy: (_name, from) => `the ${from}`,
    nameIt: () => 'in the path or metadata',
  });
  return { ...plan, notes };
}
