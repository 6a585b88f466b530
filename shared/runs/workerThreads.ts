import path from 'node:path';
import { FileFault } from '../files/fault';

/** Parts of a run done on a worker thread: where its script is, and how its failure crosses back. */

/**
 * The script of a worker thread that sits beside the module starting it: `<name>.js` in dist/ and in
 * the deploy package (deploy/package.ts bundles it there), `<name>.ts` when the sources run (tests).
 */
export const scriptBeside = (moduleFile: string, name: string) =>
  path.join(path.dirname(moduleFile), `${name}${path.extname(moduleFile)}`);

/** A failure as it crosses from a worker: what the run's error handling reads of the error. */
export interface ThreadFailure {
  name: string;
  message: string;
}

export function failureOf(error: unknown): ThreadFailure {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

/** The error a worker's failure is thrown as on the calling thread: a FileFault stays one (it refuses the file). */
export function errorOf(failure: ThreadFailure): Error {
  if (failure.name === 'FileFault') return new FileFault(failure.message);
  const error = new Error(failure.message);
  error.name = failure.name;
  return error;
}
