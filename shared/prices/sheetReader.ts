import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { errorOf, failureOf, scriptBeside, type ThreadFailure } from '../runs/workerThreads';
import { judgedLines, type JudgedLine, type SheetSource } from './sheetLines';

/**
 * Reads a sheet's lines judged (sheetLines.ts) for the comparison with the stored snapshots. A sheet
 * of WORKER_MIN_BYTES or more is judged in a worker thread while the main thread loads the snapshots'
 * manifests and compares: parsing, validating and serialising each row took ~1 s of the main thread's
 * CPU in a 50,000-row cold ingest, and the storage, idle while the sheet is read, leaves a core for it
 * (docs/design.md). Smaller sheets are judged in the calling thread: starting a worker (~60 ms to load
 * its modules) would cost more than it saves.
 */

/** Bytes of a spooled download from which its lines are judged in a worker. */
export const WORKER_MIN_BYTES = 1 << 20;
/**
 * Batches a worker posts before the comparison has taken them: its lead while the comparison loads
 * the snapshots' manifests, bounded (16 × 500 lines: a few MB).
 */
export const BATCHES_AHEAD = 16;

const WORKER_SCRIPT = scriptBeside(__filename, 'sheetReaderWorker');
/**
 * The worker's heap limits. It holds a few batches (bounded by characters too: sheetLines.ts) and the
 * parser's state whatever the sheet's size, but without limits of its own V8 lets an isolate's heap
 * grow lazily (bench/heap.ts): a 1,000,000-row cold ingest peaked at 360 MB RSS, an unchanged one at
 * 296 MB. With these, a 200,000-row cold ingest's peak fell from 226 to 193 MB (unchanged: 241 →
 * 206) at the same speed.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 16 };

/** What a worker posts: a batch, the end, or why it stopped. */
export type ReaderMessage = { lines: JudgedLine[] } | { done: true } | { failure: ThreadFailure };

/** A sheet being read: its judged lines, and how to stop the reading when they will not all be taken. */
export interface SheetReading extends AsyncIterable<JudgedLine[]> {
  stop(): Promise<void>;
}

/**
 * Starts reading the sheet now, so that its lines are judged while the caller prepares the
 * comparison (a cold ingest's judging is the longest step of the read); `stop` ends a reading whose
 * lines are not all taken (a failure before or during the comparison).
 */
export function startReading(source: SheetSource): SheetReading {
  const batches = readJudgedLines(source);
  const first = batches.next();
  // Awaited when the lines are taken; a reading stopped before that must not leave it unhandled.
  first.catch(() => undefined);
  return {
    async *[Symbol.asyncIterator]() {
      const head = await first;
      if (head.done) return;
      yield head.value;
      yield* batches;
    },
    stop: async () => {
      await batches.return(undefined).catch(() => undefined);
    },
  };
}

/** The sheet's lines judged, a batch at a time; throws FileFault when the file cannot be read. */
export async function* readJudgedLines(source: SheetSource): AsyncGenerator<JudgedLine[]> {
  if ((await stat(source.file)).size < WORKER_MIN_BYTES) yield* judgedLines(source);
  else yield* judgedInWorker(source);
}

async function* judgedInWorker(source: SheetSource): AsyncGenerator<JudgedLine[]> {
  const worker = new Worker(WORKER_SCRIPT, { workerData: source, resourceLimits: WORKER_HEAP });
  const inbox: (ReaderMessage | { exit: number })[] = [];
  let wake: (() => void) | undefined;
  const receive = (message: ReaderMessage | { exit: number }) => {
    inbox.push(message);
    wake?.();
  };
  worker.on('message', receive);
  worker.on('error', (error) => receive({ failure: failureOf(error) }));
  worker.on('exit', (code) => receive({ exit: code }));
  try {
    for (;;) {
      if (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift() as ReaderMessage | { exit: number };
      if ('lines' in message) {
        worker.postMessage('more');
        yield message.lines;
      } else if ('done' in message) return;
      else if ('failure' in message) throw errorOf(message.failure);
      else throw new Error(`the sheet reader's worker stopped (exit code ${message.exit})`);
    }
  } finally {
    await worker.terminate();
  }
}
