import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Settings } from '../../shared/config/settings';
import { createLogger, memorySink } from '../../shared/observability/logger';
import type { IngestRequest } from '../../shared/prices/ingest';
import type { PriceSheetDownload } from '../../shared/prices/sources/source';
import type { StorageClients } from '../../shared/storage/clients';

/** Builds Partner Center price sheets (every value quoted, as the service sends them) for tests. */
export const AZURE_PLAN_HEADER = [
  'ProductTitle',
  'ProductId',
  'SkuId',
  'SkuTitle',
  'Publisher',
  'SkuDescription',
  'UnitOfMeasure',
  'TermDuration',
  'Market',
  'Currency',
  'UnitPrice',
  'PricingTierRangeMin',
  'PricingTierRangeMax',
  'EffectiveStartDate',
  'EffectiveEndDate',
  'MeterIds',
  'MeterType',
  'Tags',
] as const;

export type SheetRow = Partial<Record<(typeof AZURE_PLAN_HEADER)[number], string>>;

let meterCounter = 0;
export function meterId(n = ++meterCounter): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-0000-4000-8000-${hex}`;
}

export function consumptionRow(overrides: SheetRow = {}): SheetRow {
  return {
    ProductTitle: 'Virtual Machines Dv3 Series',
    ProductId: 'DZH318Z0BQ4W',
    SkuId: '00JX',
    SkuTitle: 'D2 v3',
    Publisher: 'Microsoft',
    SkuDescription: 'Virtual Machines Dv3 Series D2 v3 US East',
    UnitOfMeasure: '1 Hour',
    TermDuration: '',
    Market: 'US',
    Currency: 'USD',
    UnitPrice: '0.096',
    PricingTierRangeMin: '0',
    PricingTierRangeMax: '',
    EffectiveStartDate: '3/1/2018 12:00:00 AM',
    EffectiveEndDate: '11/30/9999 11:59:59 PM',
    MeterIds: meterId(),
    MeterType: '1 Compute Hour',
    Tags: 'Azure;Consumption',
    ...overrides,
  };
}

export function sheetCsv(rows: SheetRow[], header: readonly string[] = AZURE_PLAN_HEADER): string {
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  return (
    [
      header.map(quote).join(','),
      ...rows.map((r) => header.map((h) => quote((r as Record<string, string>)[h] ?? '')).join(',')),
    ].join('\r\n') + '\r\n'
  );
}

export function downloadOf(content: string | Buffer, origin = 'test'): () => Promise<PriceSheetDownload> {
  return async () => ({
    body: Readable.from([typeof content === 'string' ? Buffer.from(content) : content]),
    format: 'partnercenter-csv',
    origin,
  });
}

export function fileDownload(file: string): () => Promise<PriceSheetDownload> {
  return async () => ({ body: fs.createReadStream(file), format: 'partnercenter-csv', origin: 'test' });
}

/** An ingest of a US consumption sheet as of 2026-11-01, with whatever the test changes. */
export function ingestRequest(
  storage: StorageClients,
  settings: Settings,
  open: IngestRequest['open'],
  overrides: Partial<IngestRequest> = {},
): IngestRequest {
  return {
    storage,
    settings,
    logger: createLogger(memorySink()),
    open,
    kind: 'ingest',
    source: 'test',
    market: 'US',
    view: 'azure_consumption',
    timeline: 'current',
    asOf: '2026-11-01',
    ...overrides,
  };
}
