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
}

export function storageNames(prefix = ''): StorageNames {
  const table = (name: string) => `${prefix}${name}`;
  const container = (name: string) => (prefix ? `${prefix}-${name}` : name);
  return {
    tables: {
      prices: table('prices'),
      priceProducts: table('priceproducts'),
      snapshots: table('snapshots'),
      runs: table('runs'),
      runStatus: table('runstatus'),
      rateSnapshots: table('ratesnapshots'),
      rates: table('rates'),
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
  };
}

/** Where an upload container's files go once handled. */
export const processedContainer = (uploads: string) => `${uploads}-processed`;
export const quarantineContainer = (uploads: string) => `${uploads}-quarantine`;
