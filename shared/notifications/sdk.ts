import type * as EventGrid from '@azure/eventgrid';
import type * as CloudEvents from 'cloudevents';

/**
 * The notification SDKs, loaded on first use rather than when a function module imports this folder
 * (as shared/storage/sdk.ts does for storage): the Functions host loads every function module before
 * the first invocation, and only a fan-out or a delivery builds events or publishes to the topic.
 */

/* eslint-disable @typescript-eslint/no-require-imports -- a require inside a function is what defers the load */
export function eventGridSdk(): typeof EventGrid {
  return require('@azure/eventgrid') as typeof EventGrid;
}

export function cloudEventsSdk(): typeof CloudEvents {
  return require('cloudevents') as typeof CloudEvents;
}
/* eslint-enable @typescript-eslint/no-require-imports */
