/**
 * Every table and container the app uses, in one place. A prefix (setting STORAGE_NAME_PREFIX)
 * lets several installations or test runs share one storage account.
 */
export interface StorageNames {
  tables: {
    /** One entity per effective-dated price version. */
    prices: string;
    /** Product → meter index for the views whose prices are keyed by meter. */
    priceProducts: string;
    /** The `$filter` search index: distinct values and the units holding each (prices/tables/searchIndex.ts). */
    priceSearch: string;
    /** One entity per (market, view, as-of date) snapshot. */
    snapshots: string;
    /** The run ledger: one entity per refresh or ingest run. */
    runs: string;
    /** Last successful run per market and view, for the health endpoint. */
    runStatus: string;
    /** One entity per exchange-rate fetch (its as-of day, source, archive). */
    rateSnapshots: string;
    /** The rates of each fetch: one entity per currency, partitioned by fetch. */
    rates: string;
    /** Price rules (markups per customer and scope): one entity per rule. */
    priceRules: string;
    /** Price-change subscriptions: destination, filters, signing secret. */
    subscriptions: string;
    /** Notification outbox: per market/view the last snapshot fanned out, and one entity per event to deliver. */
    notifications: string;
  };
  containers: {
    /** Raw downloads and uploads, exactly as received. */
    archive: string;
    /** Snapshot manifests (which versions each snapshot listed). */
    snapshots: string;
    /** Rejected-row and run reports. */
    reports: string;
    /** Leases that keep two refreshes of one market and view apart. */
    locks: string;
    priceUploads: string;
    customerUploads: string;
    /** The body of every event in the notification outbox (CloudEvents JSON). */
    notifications: string;
  };
  /**
   * Storage queues the queue-triggered functions consume (docs/operations.md: Queues). Each has a
   * `<name>-poison` queue beside it, named by the Functions host (poisonQueue below).
   */
  queues: {
    /** One message per market × view × timeline of a planned price refresh. */
    priceRefresh: string;
    /** One message per exchange-rate source of a planned rate refresh. */
    rateRefresh: string;
    /** The storage account's BlobCreated events of the price upload container, as Event Grid writes them. */
    priceUploadEvents: string;
    /** …of the customer upload container. */
    customerUploadEvents: string;
    /** One message (`{ id }`) per notification event written to the outbox, and per retry, delayed until due. */
    notifications: string;
  };
}

/** STORAGE_NAME_PREFIX: what table, container and queue names all allow at their start. */
export const NAME_PREFIX_PATTERN = /^[a-z][a-z0-9]{0,11}$/;
export const NAME_PREFIX_RULE = 'lowercase letters and digits, starting with a letter, at most 12';

/**
 * The STORAGE_NAME_PREFIX app setting, checked as settings.ts checks it: for the queue triggers'
 * registration, which runs when the host loads the app, before (and without) the settings as a whole.
 */
export function namePrefixSetting(value: string | undefined): string {
  if (!value) return '';
  if (!NAME_PREFIX_PATTERN.test(value)) throw new Error(`STORAGE_NAME_PREFIX: ${NAME_PREFIX_RULE}`);
  return value;
}

export function storageNames(prefix = ''): StorageNames {
  const table = (name: string) => `${prefix}${name}`;
  const container = (name: string) => (prefix ? `${prefix}-${name}` : name);
  // Queue names follow the container rules (lowercase, digits, single hyphens, 3–63 characters).
  const queue = container;
  return {
    tables: {
      prices: table('prices'),
      priceProducts: table('priceproducts'),
      priceSearch: table('pricesearch'),
      snapshots: table('snapshots'),
      runs: table('runs'),
      runStatus: table('runstatus'),
      rateSnapshots: table('ratesnapshots'),
      rates: table('rates'),
      priceRules: table('pricerules'),
      subscriptions: table('subscriptions'),
      notifications: table('notifications'),
    },
    containers: {
      archive: container('price-archive'),
      snapshots: container('price-snapshots'),
      reports: container('price-reports'),
      locks: container('locks'),
      priceUploads: container('price-uploads'),
      customerUploads: container('customer-uploads'),
      notifications: container('notifications'),
    },
    queues: {
      priceRefresh: queue('price-refresh'),
      rateRefresh: queue('rate-refresh'),
      priceUploadEvents: queue('price-upload-events'),
      customerUploadEvents: queue('customer-upload-events'),
      notifications: queue('notifications'),
    },
  };
}

/** Where an upload container's files go once handled. */
export const processedContainer = (uploads: string) => `${uploads}-processed`;
export const quarantineContainer = (uploads: string) => `${uploads}-quarantine`;
/** Where the Functions host moves a message that failed maxDequeueCount times: `<queue>-poison`. */
export const poisonQueue = (queue: string) => `${queue}-poison`;
