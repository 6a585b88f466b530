import {
  app,
  type HttpFunctionOptions,
  type HttpHandler,
  type StorageBlobFunctionOptions,
  type TimerFunctionOptions,
  type TimerHandler,
  type StorageBlobHandler,
} from '@azure/functions';
import { storageNames, type StorageNames } from '../shared/storage/names';

/**
 * The one registration of every function. Each call registers with `app.*` (the Functions host
 * reads that) and records the same options here (the local runner, the OpenAPI document and the
 * tests read this list), so there is no second list of routes or schedules.
 */

export interface HttpRegistration {
  kind: 'http';
  name: string;
  options: HttpFunctionOptions & { route: string; methods: NonNullable<HttpFunctionOptions['methods']> };
  /** Extra description for the OpenAPI document (request/response schemas etc.). */
  doc?: unknown;
}

export interface TimerRegistration {
  kind: 'timer';
  name: string;
  options: TimerFunctionOptions;
  /** The app setting that holds the schedule (`%NAME%` in `options.schedule`). */
  scheduleSetting: string;
}

export interface BlobRegistration {
  kind: 'blob';
  name: string;
  options: StorageBlobFunctionOptions;
  /** The upload container the function watches (the local runner polls it under the configured prefix). */
  container: keyof StorageNames['containers'];
  /** The handler that takes a blob by name and streams it itself (the runner and tests call this). */
  process: (blobName: string, context: import('@azure/functions').InvocationContext) => Promise<unknown>;
}

export type Registration = HttpRegistration | TimerRegistration | BlobRegistration;

const registrations: Registration[] = [];

export function registeredFunctions(): readonly Registration[] {
  return registrations;
}

export function httpFunction(
  name: string,
  options: HttpRegistration['options'],
  doc?: unknown,
): HttpHandler {
  app.http(name, options);
  registrations.push({ kind: 'http', name, options, doc });
  return options.handler;
}

/** `scheduleSetting` names the app setting holding the six-field UTC NCRONTAB schedule. */
export function timerFunction(
  name: string,
  scheduleSetting: string,
  options: Omit<TimerFunctionOptions, 'schedule'>,
): TimerHandler {
  const full: TimerFunctionOptions = { ...options, schedule: `%${scheduleSetting}%` };
  app.timer(name, full);
  registrations.push({ kind: 'timer', name, options: full, scheduleSetting });
  return options.handler;
}

export function blobFunction(
  name: string,
  container: keyof StorageNames['containers'],
  options: Omit<StorageBlobFunctionOptions, 'path'>,
  process: BlobRegistration['process'],
): StorageBlobHandler {
  // Deployed apps use the unprefixed names; the prefix exists for shared test and dev accounts.
  const full: StorageBlobFunctionOptions = { ...options, path: `${storageNames().containers[container]}/{name}` };
  app.storageBlob(name, full);
  registrations.push({ kind: 'blob', name, options: full, container, process });
  return options.handler;
}
