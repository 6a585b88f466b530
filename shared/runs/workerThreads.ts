import path from 'node:path';
import { FileFault } from '../files/fault';

/**
 * Parts of a run done on a worker thread (a 2-core Functions instance has a core to spare while the
 * main thread works): where the script is, and how its result or failure crosses back.
 */

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
  /** A storage failure's HTTP status and code (isStorageUnavailable, statusOf read them). */
  statusCode?: number;
  code?: string;
}

export function failureOf(error: unknown): ThreadFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** The error a worker's failure is thrown as on the calling thread: a FileFault stays one. */
export function errorOf(failure: ThreadFailure): Error {
  if (failure.name === 'FileFault') return new FileFault(failure.message);
  const error = new Error(failure.message);
  error.name = failure.name;
  return Object.assign(error, { statusCode: failure.statusCode, code: failure.code });
}
