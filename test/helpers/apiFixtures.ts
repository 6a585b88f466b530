import { Readable } from 'node:stream';
import { ingestPriceSheet } from '../../shared/prices/ingest';
import { ingestRates } from '../../shared/rates/ingest';
import { createLogger, memorySink, type Logger } from '../../shared/observability/logger';
import type { Settings } from '../../shared/config/settings';
import type { PriceView } from '../../shared/prices/views';
import type { StorageClients } from '../../shared/storage/clients';
import { requestFor, type ApiResponse } from '../../shared/api/endpoint';
import { consumptionRow, downloadOf, meterId, sheetCsv, type SheetRow } from './priceSheets';

/** Shared test data for the HTTP API: a consumption sheet with the pricing guide's overlap, tiers and a product of 15 meters; license-based rows; rates. */

export const logger = (): Logger => createLogger(memorySink());

export const OVERLAP_METER = meterId(0x7001);
export const TIER_METER = meterId(0x7002);
export const PRODUCT_METERS = Array.from({ length: 15 }, (_, i) => meterId(0x7100 + i));

export function consumptionSheet(): SheetRow[] {
  return [
    consumptionRow({
      ProductId: 'CFQ7TTC0HD7P',
      SkuId: '0001',
      MeterIds: OVERLAP_METER,
      UnitPrice: '10',
      EffectiveStartDate: '2021-10-01T00:00:00.0000000Z',
      EffectiveEndDate: '2021-11-03T06:57:30.0682597Z',
    }),
    consumptionRow({
      ProductId: 'CFQ7TTC0HD7P',
      SkuId: '0001',
      MeterIds: OVERLAP_METER,
      UnitPrice: '12',
      EffectiveStartDate: '2021-11-01T00:00:00.0000000Z',
      EffectiveEndDate: '9999-11-30T23:59:59.0000000Z',
    }),
    consumptionRow({
      ProductId: 'TIERED00PROD',
      SkuId: '0001',
      MeterIds: TIER_METER,
      UnitPrice: '0.000140',
      PricingTierRangeMin: '1',
      PricingTierRangeMax: '100',
    }),
    consumptionRow({
      ProductId: 'TIERED00PROD',
      SkuId: '0001',
      MeterIds: TIER_METER,
      UnitPrice: '0.000120',
      PricingTierRangeMin: '101',
      PricingTierRangeMax: '100000',
    }),
    consumptionRow({
      ProductId: 'TIERED00PROD',
      SkuId: '0001',
      MeterIds: TIER_METER,
      UnitPrice: '0.000100',
      PricingTierRangeMin: '100001',
      PricingTierRangeMax: '9223372036854780000',
    }),
    ...PRODUCT_METERS.map((m, i) =>
      consumptionRow({
        ProductId: 'MANYMETERS01',
        SkuId: `000${i % 3}`,
        MeterIds: m,
        UnitPrice: `1.${String(i).padStart(2, '0')}0`,
      }),
    ),
  ];
}

export { LICENSE_HEADER } from './licenseSheets';

export function licenseRow(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ProductTitle: 'Microsoft 365 Business Premium',
    ProductId: 'CFQ7TTC0LCHC',
    SkuId: '0002',
    SkuTitle: 'Microsoft 365 Business Premium',
    Publisher: 'Microsoft Corporation',
    SkuDescription: 'Microsoft 365 Business Premium',
    UnitOfMeasure: 'Licenses',
    TermDuration: 'P1Y',
    BillingPlan: 'Annual',
    Market: 'DE',
    Currency: 'EUR',
    UnitPrice: '237.60',
    PricingTierRangeMin: '',
    PricingTierRangeMax: '',
    EffectiveStartDate: '2026-10-01T00:00:00.0000000Z',
    EffectiveEndDate: '9999-12-31T23:59:59.0000000Z',
    Tags: 'License',
    'ERP Price': '285.12',
    ...overrides,
  };
}

export function ingestSheet(
  storage: StorageClients,
  settings: Settings,
  rows: SheetRow[] | Record<string, string>[],
  o: { market?: string; view?: PriceView; asOf: string; timeline?: 'current' | 'future'; header?: readonly string[] },
) {
  return ingestPriceSheet({
    storage,
    settings,
    logger: logger(),
    open: downloadOf(sheetCsv(rows as SheetRow[], o.header)),
    kind: 'ingest',
    source: 'test',
    market: o.market ?? 'US',
    view: o.view ?? 'azure_consumption',
    timeline: o.timeline ?? 'current',
    asOf: o.asOf,
  });
}

export function fxCsv(rates: Record<string, string>, month = '202610'): string {
  return (
    ['"CurrencyCode","USDPerUnit","Month"', ...Object.entries(rates).map(([c, r]) => `"${c}","${r}","${month}"`)].join(
      '\r\n',
    ) + '\r\n'
  );
}

export async function ingestFx(storage: StorageClients, settings: Settings, content: string | Buffer, asOf: string) {
  const run = await ingestRates({
    storage,
    settings,
    logger: logger(),
    open: async () => ({ body: Readable.from([Buffer.from(content)]), origin: 'test' }),
    kind: 'ingest',
    source: 'test',
    asOf,
  });
  if (run.outcome !== 'succeeded') throw new Error(`rates ingest failed: ${run.error}`);
  return run;
}

/** A request with these query parameters (and headers), as the host hands it to a function. */
export const q = (params: Record<string, string> | URLSearchParams, headers: Record<string, string> = {}) =>
  requestFor('/api/endpoint', params, headers);

export function json(response: ApiResponse): any {
  return JSON.parse(response.body);
}
