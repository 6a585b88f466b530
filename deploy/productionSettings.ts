/**
 * App settings as infra/ sets them in Azure (identity-based storage, no connection string, the
 * real sources), for loading the deployment package the way it runs there: the package test and the
 * cold-start benchmark. The identity and account are placeholders; loading contacts neither.
 */
export const PRODUCTION_SETTINGS = {
  FUNCTIONS_WORKER_RUNTIME: 'node',
  NODE_ENV: 'production',
  AzureWebJobsStorage__blobServiceUri: 'https://stexample.blob.core.windows.net',
  AzureWebJobsStorage__queueServiceUri: 'https://stexample.queue.core.windows.net',
  AzureWebJobsStorage__tableServiceUri: 'https://stexample.table.core.windows.net',
  AzureWebJobsStorage__credential: 'managedidentity',
  AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000000',
  PRICES_SOURCE: 'retail',
  RATES_SOURCE: 'ecb',
};
