import { parseDay } from '../core/dates';
import { priceViewSchema, type PriceView, type Timeline } from '../prices';

/**
 * What an uploader says about a file, from two places (README: Blob-drop uploads):
 * - the blob's folders: each directory segment is read by its form — `current`/`future` (timeline),
 *   a view name (`updatedlicensebased`, …), an upper-case two-letter market (`DE`), a day
 *   (`2026-11-01`); other folders are the operator's own and ignored. E.g.
 *   `future/updatedlicensebased/DE/2026-11-01/prices.zip`.
 * - the blob's metadata `market`, `view`, `asof`, `timeline` (any case).
 * Metadata wins over the path (it is set for this one blob; folders are reused); a difference is
 * noted in the report. Two different values in the path, or a value that is not valid, refuse the upload.
 */

export interface UploadLabels {
  market?: string;
  view?: PriceView;
  asOf?: string;
  timeline?: Timeline;
}

export type LabelName = keyof UploadLabels;
export type LabelOrigin = 'metadata' | 'path';

export interface LabelReading {
  labels: UploadLabels;
  from: Partial<Record<LabelName, LabelOrigin>>;
  notes: string[];
}

/** The upload itself is at fault (ambiguous, contradictory, unreadable): quarantined, never retried. */
export class UploadRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadRefusedError';
  }
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

function fromPath(blobName: string): UploadLabels {
  const labels: Record<string, string> = {};
  for (const segment of blobName.split('/').slice(0, -1)) {
    const name = pathLabel(segment);
    if (name === null) continue;
    const value = labelValue(name, segment);
    if (value === null) throw new UploadRefusedError(`the folder "${segment}" is not a valid ${name}`);
    if (labels[name] !== undefined && labels[name] !== value) {
      throw new UploadRefusedError(`the path names two ${name} values (${labels[name]} and ${value})`);
    }
    labels[name] = value;
  }
  return labels;
}

function fromMetadata(metadata: Record<string, string>): UploadLabels {
  const labels: Record<string, string> = {};
  for (const [key, text] of Object.entries(metadata)) {
    const name = METADATA_KEYS[key.toLowerCase()];
    if (name === undefined) continue;
    const value = labelValue(name, text);
    if (value === null) throw new UploadRefusedError(`metadata ${key}="${text}" is not a valid ${name}`);
    labels[name] = value;
  }
  return labels;
}

export function readUploadLabels(blobName: string, metadata: Record<string, string>): LabelReading {
  const path = fromPath(blobName);
  const meta = fromMetadata(metadata);
  const reading: LabelReading = { labels: {}, from: {}, notes: [] };
  for (const name of ['market', 'view', 'asOf', 'timeline'] as const) {
    const chosen = meta[name] ?? path[name];
    if (chosen === undefined) continue;
    (reading.labels as Record<string, string>)[name] = chosen;
    reading.from[name] = meta[name] !== undefined ? 'metadata' : 'path';
    if (meta[name] !== undefined && path[name] !== undefined && meta[name] !== path[name]) {
      reading.notes.push(`metadata ${name} ${meta[name]} overrides ${path[name]} from the path`);
    }
  }
  return reading;
}
