import fs from 'node:fs';
import readline from 'node:readline';

/** A temporary line file a run writes while it reads a sheet, with backpressure, and reads back later. */
export interface SpoolFile {
  file: string;
  stream: fs.WriteStream;
}

export function openSpool(file: string): SpoolFile {
  return { file, stream: fs.createWriteStream(file) };
}

export function appendLine(spool: SpoolFile, line: string): Promise<void> | void {
  if (!spool.stream.write(`${line}\n`)) return new Promise((resolve) => spool.stream.once('drain', () => resolve()));
}

export function closeSpool(spool: SpoolFile): Promise<void> {
  return new Promise((resolve, reject) => spool.stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

export async function* spooledLines(file: string): AsyncGenerator<string> {
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity }))
    if (line) yield line;
}
