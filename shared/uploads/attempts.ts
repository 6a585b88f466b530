import { redact } from '../observability/redact';
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { nowInstant } from '../core/dates';
import type { StorageClients } from '../storage/clients';
import { ifFound, isNotFound } from '../storage/errors';

/**
 * How often each version of an upload (container, name, ETag) has been tried, counted in the ledger table
 * before each attempt starts: a file that kills the process (out of memory) leaves its count behind, so
 * the crash loop ends after UPLOAD_MAX_ATTEMPTS deliveries (placement quarantines it). Counting on the
 * blob itself (metadata) is no option: it changes the ETag that pins the version being read.
 * Two deliveries of one event at the same instant may count once between them; that only delays the
 * quarantine by an attempt.
 */

const PARTITION = 'uploadAttempts';
/** What an attempt leaves as its error until it ends: a process that dies never gets to say more. */
const UNFINISHED = 'the attempt did not finish: the process stopped (out of memory, a crash or a timeout)';
/** An error message is the uploader's reason and the ledger's: long ones are cut. */
const MAX_ERROR_CHARS = 1000;

export interface UploadVersion {
  container: string;
  name: string;
  etag: string;
}

export interface EarlierAttempts {
  /** Attempts started before this one; none of them placed the upload. */
  count: number;
  /** How the last of them ended; null when there was none. */
  lastError: string | null;
}

export class UploadAttempts {
  private readonly table: TableClient;
  private readonly rowKey: string;

  constructor(
    storage: StorageClients,
    private readonly version: UploadVersion,
  ) {
    this.table = storage.table(storage.names.tables.runs);
    // Blob names may hold characters row keys cannot (/ \ # ?) and run to 1024 characters.
    const id = `${version.container}/${version.name}/${version.etag}`;
    this.rowKey = createHash('sha256').update(id).digest('hex');
  }

  /** Counts this attempt (durably, before it starts) and returns the earlier ones. */
  async begin(): Promise<EarlierAttempts> {
    const entity = await ifFound(this.table.getEntity<{ attempts: number; lastError: string }>(PARTITION, this.rowKey));
    const earlier = { count: entity?.attempts ?? 0, lastError: entity?.lastError ?? null };
    await this.table.upsertEntity(
      {
        partitionKey: PARTITION,
        rowKey: this.rowKey,
        ...this.version,
        attempts: earlier.count + 1,
        lastError: UNFINISHED,
        startedAt: nowInstant(),
      },
      'Replace',
    );
    return earlier;
  }

  /** Records how this attempt failed, for the attempt that gives up. */
  async failed(error: unknown): Promise<void> {
    // Kept in the ledger and quoted in the quarantine report: redacted like every error text the app keeps.
    const message = redact(error instanceof Error ? error.message : String(error));
    const lastError = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
    await this.table.upsertEntity({ partitionKey: PARTITION, rowKey: this.rowKey, lastError }, 'Merge');
  }

  /** The upload is placed: nothing left to count. */
  async done(): Promise<void> {
    try {
      await this.table.deleteEntity(PARTITION, this.rowKey);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
