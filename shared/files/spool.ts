import fs from 'node:fs';

/** A temporary line file a run writes while it reads a sheet, with backpressure, and reads back later. */
export interface SpoolFile {
  file: string;
  stream: fs.WriteStream;
  /** Lines appended and not yet written, and their characters. */
  pending: string[];
  pendingChars: number;
}

export function openSpool(file: string): SpoolFile {
  return { file, stream: fs.createWriteStream(file), pending: [], pendingChars: 0 };
}

/**
 * Characters of lines a spool holds before it writes them, in one write of one string. A write per
 * line cost 0.6 s of CPU in the 2.5 s read of a 50,000-row sheet (it has ~260 spools); a write per
 * tick still made ~20,000 writes of a few lines each (0.33 s of the main thread). At this size a
 * 50,000-row cold ingest makes ~2,000; the ~260 spools hold at most ~8 MB between writes.
 */
const SPOOL_WRITE_CHARS = 16_384;

export function appendLine(spool: SpoolFile, line: string): Promise<void> | void {
  spool.pending.push(line);
  spool.pendingChars += line.length + 1;
  if (spool.pendingChars >= SPOOL_WRITE_CHARS) writePending(spool);
  // Backpressure as the last write left it.
  if (spool.stream.writableNeedDrain) return new Promise((resolve) => spool.stream.once('drain', () => resolve()));
}

function writePending(spool: SpoolFile): void {
  if (spool.pending.length === 0) return;
  spool.stream.write(`${spool.pending.join('\n')}\n`);
  spool.pending = [];
  spool.pendingChars = 0;
}

export function closeSpool(spool: SpoolFile): Promise<void> {
  writePending(spool);
  return new Promise((resolve, reject) => spool.stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** The lines of a spool file. */
export async function* spooledLines(file: string): AsyncGenerator<string> {
  for await (const lines of spooledLineBatches(file)) yield* lines;
}

/** Bytes read from a spool file at a time: 4 × the stream default, a quarter of the reads (and of their calls). */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The lines of a spool file, a read's worth at a time: for a reader that goes through many lines,
 * one promise per read rather than per line (about half the time of readline's line iteration).
 */
export async function* spooledLineBatches(file: string): AsyncGenerator<string[]> {
  let rest = '';
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() as string;
    yield lines.filter((line) => line !== '');
  }
  if (rest) yield [rest];
}
