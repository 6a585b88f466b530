import path from 'node:path';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';

/**
 * Worker threads that the app starts from its TypeScript sources (shared/prices/sheetReader.ts) run
 * outside jest's module registry, where ts-jest does not compile: a worker whose script is a `.ts`
 * file first loads the require hook that test child processes use (helpers/tsRegister.js). Built code
 * (dist/, the deploy package) starts its `.js` workers unchanged.
 */
const REGISTER = path.join(__dirname, '..', 'helpers', 'tsRegister.js');
const RealWorker = workerThreads.Worker;

/** Every worker started in this test file, for tests that check how the app stops them. */
export const startedWorkers: workerThreads.Worker[] = [];

class TypeScriptWorker extends RealWorker {
  constructor(filename: string | URL, options?: WorkerOptions) {
    const script = String(filename);
    if (script.endsWith('.ts'))
      super(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(script)});`, { ...options, eval: true });
    else super(filename, options);
    startedWorkers.push(this);
  }
}

workerThreads.Worker = TypeScriptWorker;
