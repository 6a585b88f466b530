import { parentPort, workerData } from 'node:worker_threads';
import { failureOf } from '../runs/workerThreads';
import { judgedLines, type SheetSource } from './sheetLines';
import { BATCHES_AHEAD, type ReaderMessage } from './sheetReader';

/**
 * The worker thread of sheetReader.ts: judges the sheet's lines and posts them a batch at a time,
 * at most BATCHES_AHEAD before the comparison has taken them (each batch taken sends a message back).
 */

const port = parentPort as NonNullable<typeof parentPort>;
const post = (message: ReaderMessage) => port.postMessage(message);

let credits = BATCHES_AHEAD;
let wake: (() => void) | undefined;
port.on('message', () => {
  credits++;
  wake?.();
});

async function judgeAll(): Promise<void> {
  try {
    for await (const lines of judgedLines(workerData as SheetSource)) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      post({ lines });
    }
    post({ done: true });
  } catch (error) {
    post({ failure: failureOf(error) });
  }
  // The reader terminates the worker once it has the last message.
}

void judgeAll();
