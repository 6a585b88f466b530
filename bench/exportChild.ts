import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { odata } from '@azure/data-tables';
import { loadSettings } from '../shared/config/settings';
import { createStorageClients } from '../shared/storage/clients';
import { marketViewRange } from '../shared/prices/tables/versions';
import { priceList, type PriceListRow } from '../shared/quotes/priceList';
import { priceListFile } from '../shared/quotes/priceListFile';

/**
 * One export (or the raw scan it is compared with) in a process of its own, so that its peak RSS is
 * measured alone: prints `{ mode, durationMs, rows, entities, bytes, maxRssMB }` as JSON on stdout.
 * - csv / xlsx: the price-list export of US azure_consumption converted to EUR, to a file;
 * - scan: every entity of the same market and view read with listEntities, nothing else done.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      connection: { type: 'string' },
      prefix: { type: 'string' },
      out: { type: 'string' },
      date: { type: 'string' },
    },
  });
  const settings = loadSettings({ AzureWebJobsStorage: values.connection, STORAGE_NAME_PREFIX: values.prefix });
  const storage = createStorageClients(settings);
  const started = Date.now();
  let rows = 0;
  let entities = 0;
  if (values.mode === 'scan') {
    const range = marketViewRange('US', 'azure_consumption');
    const filter = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`;
    for await (const entity of storage.table(storage.names.tables.prices).listEntities({ queryOptions: { filter } })) {
      if (entity.partitionKey) entities++;
    }
  } else {
    const format = values.mode === 'xlsx' ? 'xlsx' : 'csv';
    const list = await priceList(storage, settings, {
      market: 'US',
      view: 'azure_consumption',
      instant: `${values.date}T00:00:00.0000000Z`,
      currency: 'EUR',
      customer: 'bench-customer',
    });
    async function* counted(pages: AsyncIterable<PriceListRow[]>) {
      for await (const page of pages) {
        rows += page.length;
        yield page;
      }
    }
    await pipeline(
      priceListFile({ ...list, rows: counted(list.rows) }, format),
      fs.createWriteStream(values.out as string),
    );
  }
  const durationMs = Date.now() - started;
  const bytes = values.out && fs.existsSync(values.out) ? fs.statSync(values.out).size : 0;
  const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ mode: values.mode, durationMs, rows, entities, bytes, maxRssMB })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
