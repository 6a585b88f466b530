import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readManifest, uploadManifest } from '../../../../shared/prices/tables/snapshots';
import { ensureStorage } from '../../../../shared/storage/ensure';
import { delayedUploads, testStorage } from '../../../helpers/storage';

describe('snapshot manifests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'manifest-test-'));
  });
  afterAll(() => fs.promises.rm(dir, { recursive: true, force: true }));

  /** A manifest of n versions whose keys do not compress away. */
  async function manifestFile(n: number): Promise<string[]> {
    const lines = Array.from(
      { length: n },
      (_, i) =>
        `US|azure_consumption|${randomBytes(12).toString('hex')}\t${i}_${randomBytes(16).toString('hex')}\t${i}`,
    );
    await fs.promises.writeFile(path.join(dir, `m${n}.tsv`), lines.map((line) => `${line}\n`).join(''));
    return lines;
  }

  it('uploads a manifest that reads back line for line', async () => {
    const { storage } = testStorage();
    await ensureStorage(storage);
    const lines = await manifestFile(20_000);
    await uploadManifest(storage, 'US/m.tsv.gz', path.join(dir, 'm20000.tsv'));
    const read: string[] = [];
    for await (const line of readManifest(storage, 'US/m.tsv.gz'))
      read.push(`${line.partitionKey}\t${line.rowKey}\t${line.contentHash}`);
    expect(read).toEqual(lines);
  });

  it('fails, rather than waits for ever, when the upload of a large manifest fails', async () => {
    const { storage } = testStorage();
    await ensureStorage(storage);
    await manifestFile(20_000);
    const failing = delayedUploads(storage, storage.names.containers.snapshots, { fail: true });
    await expect(uploadManifest(failing, 'US/m.tsv.gz', path.join(dir, 'm20000.tsv'))).rejects.toThrow(
      'service unavailable',
    );
  }, 10_000);
});
