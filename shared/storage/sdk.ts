import type * as Tables from '@azure/data-tables';
import type * as Blobs from '@azure/storage-blob';
import type * as Identity from '@azure/identity';
import type * as Queues from '@azure/storage-queue';

/**
 * The Azure storage and identity SDKs, loaded on first use rather than when a module imports them.
 * The Functions host loads every function module before the first invocation, and these SDKs were
 * a large part of that cold start (docs/design.md: cold start); a function that never touches
 * storage, or an app that never needs a credential, never loads them. Types are ordinary imports.
 */

/* eslint-disable @typescript-eslint/no-require-imports -- a require inside a function is what defers the load */
export function tablesSdk(): typeof Tables {
  return require('@azure/data-tables') as typeof Tables;
}

export function blobsSdk(): typeof Blobs {
  return require('@azure/storage-blob') as typeof Blobs;
}

export function queuesSdk(): typeof Queues {
  return require('@azure/storage-queue') as typeof Queues;
}

export function identitySdk(): typeof Identity {
  return require('@azure/identity') as typeof Identity;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** `odata` of `@azure/data-tables` (escapes the values of a filter), loading the SDK when first called. */
export function odata(strings: TemplateStringsArray, ...values: unknown[]): string {
  return tablesSdk().odata(strings, ...values);
}
