import { parseDay } from '../core/dates';
import { FileFault } from '../files/fault';
import { priceViewSchema } from '../prices';
import type { FileLabels, LabelName } from './classify';

/**
 * What an uploader says about a file, from two places (docs/operations.md: Uploads):
 * - the blob's folders: each directory segment is read by its form — `current`/`future` (timeline),
 *   a view name (`updatedlicensebased`, …), an upper-case two-letter market (`DE`), a day
 *   (`2026-11-01`); other folders are the operator's own and ignored. E.g.
 *   `future/updatedlicensebased/DE/2026-11-01/prices.zip`.
 * - the blob's metadata `market`, `view`, `asof`, `timeline` (any case).
 * Metadata wins over the path (it is set for this one blob; folders are reused); a difference is
 * noted in the report. Two different values in the path, or a value that is not valid, refuse the upload.
 */

export interface LabelReading {
  labels: FileLabels;
  notes: string[];
}

const METADATA_KEYS: Record<string, LabelName> = { market: 'market', view: 'view', asof: 'asOf', timeline: 'timeline' };

/** A value of a label, or null when the text is not one. */
function labelValue(name: LabelName, text: string): string | null {
  const value = text.trim();
  switch (name) {
    case 'market':
      return /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : null;
    case 'view':
      return priceViewSchema.safeParse(value.toLowerCase()).success ? value.toLowerCase() : null;
    case 'asOf':
      return parseDay(value);
    case 'timeline':
      return /^(current|future)$/i.test(value) ? value.toLowerCase() : null;
  }
}

/** The label a folder name stands for, if any (markets only in upper case: `de/` may be anything). */
function pathLabel(segment: string): LabelName | null {
  if (/^(current|future)$/i.test(segment)) return 'timeline';
  if (priceViewSchema.safeParse(segment.toLowerCase()).success) return 'view';
  if (/^[A-Z]{2}$/.test(segment)) return 'market';
  if (/^\d{4}-\d{2}-\d{2}$/.test(segment)) return 'asOf';
  return null;
}

function fromPath(blobName: string): Partial<Record<LabelName, string>> {
  const labels: Record<string, string> = {};
  for (const segment of blobName.split('/').slice(0, -1)) {
    const name = pathLabel(segment);
    if (name === null) continue;
    const value = labelValue(name, segment);
    if (value === null) throw new FileFault(`the folder "${segment}" is not a valid ${name}`);
    if (labels[name] !== undefined && labels[name] !== value) {
      throw new FileFault(`the path names two ${name} values (${labels[name]} and ${value})`);
    }
    labels[name] = value;
  }
  return labels;
}

function fromMetadata(metadata: Record<string, string>): Partial<Record<LabelName, string>> {
  const labels: Record<string, string> = {};
  for (const [key, text] of Object.entries(metadata)) {
    const name = METADATA_KEYS[key.toLowerCase()];
    if (name === undefined) continue;
    const value = labelValue(name, text);
    if (value === null) throw new FileFault(`metadata ${key}="${text}" is not a valid ${name}`);
    labels[name] = value;
  }
  return labels;
}

export function readUploadLabels(blobName: string, metadata: Record<string, string>): LabelReading {
  const path = fromPath(blobName);
  const meta = fromMetadata(metadata);
  const labels: Record<string, { value: string; from: 'metadata' | 'path' }> = {};
  const notes: string[] = [];
  for (const name of ['market', 'view', 'asOf', 'timeline'] as const) {
    if (meta[name] !== undefined) labels[name] = { value: meta[name], from: 'metadata' };
    else if (path[name] !== undefined) labels[name] = { value: path[name], from: 'path' };
    if (meta[name] !== undefined && path[name] !== undefined && meta[name] !== path[name]) {
      notes.push(`metadata ${name} ${meta[name]} overrides ${path[name]} from the path`);
    }
  }
  // labelValue lets only valid views and timelines through, so the values fit FileLabels.
  return { labels, notes };
}
