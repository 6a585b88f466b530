import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { spoolWithHash } from '../../../shared/files/hashedSpool';
import { tempFiles } from '../../helpers/files';

describe('spoolWithHash', () => {
  const temp = tempFiles();

  it('writes the bytes as received and hashes them in the same pass', async () => {
    const content = randomBytes(200_000);
    // Small, uneven chunks: the head is gathered across chunks.
    const chunks = Array.from({ length: Math.ceil(content.length / 7_001) }, (_, i) =>
      content.subarray(i * 7_001, (i + 1) * 7_001),
    );
    const file = path.join(temp.dir(), 'spooled');
    const progress: number[] = [];

    const spooled = await spoolWithHash(Readable.from(chunks), file, (bytes) => progress.push(bytes));

    expect(fs.readFileSync(file).equals(content)).toBe(true);
    expect(spooled.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(spooled.bytes).toBe(content.length);
    expect(spooled.head.equals(content.subarray(0, 64))).toBe(true);
    expect(progress.at(-1)).toBe(content.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('keeps a head gathered from chunks smaller than it', async () => {
    const file = path.join(temp.dir(), 'small');
    const spooled = await spoolWithHash(Readable.from([Buffer.from('PK'), Buffer.from('\u0003\u0004rest')]), file);
    expect(spooled.head.toString('latin1')).toBe('PK\u0003\u0004rest');
    expect(spooled.bytes).toBe(8);
  });

  it('fails when the download fails', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(spoolWithHash(broken, path.join(temp.dir(), 'broken'))).rejects.toThrow('connection reset');
  });
});
