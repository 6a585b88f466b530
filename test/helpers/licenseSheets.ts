import { sheetCsv } from './priceSheets';

/** Builds new-commerce license-based sheets (`updatedlicensebased`) in Partner Center's column order. */
export const LICENSE_HEADER = [
  'ProductTitle',
  'ProductId',
  'SkuId',
  'SkuTitle',
  'Publisher',
  'SkuDescription',
  'UnitOfMeasure',
  'TermDuration',
  'BillingPlan',
  'Market',
  'Currency',
  'UnitPrice',
  'PricingTierRangeMin',
  'PricingTierRangeMax',
  'EffectiveStartDate',
  'EffectiveEndDate',
  'Tags',
  'ERP Price',
] as const;

/** Preview (future) files add the end-of-sale date. */
export const LICENSE_PREVIEW_HEADER = [...LICENSE_HEADER, 'EndofSaleDate'] as const;

export const EUROPEAN_CURRENCIES = ['SEK', 'NOK', 'CHF', 'DKK', 'GBP', 'EUR'] as const;

export type LicenseSheetRow = Partial<Record<(typeof LICENSE_PREVIEW_HEADER)[number], string>>;

export function licenseRow(overrides: LicenseSheetRow = {}): LicenseSheetRow {
  return {
    ProductTitle: 'Microsoft 365 Business Basic',
    ProductId: 'CFQ7TTC0LH18',
    SkuId: '0001',
    SkuTitle: 'Microsoft 365 Business Basic',
    Publisher: 'Microsoft Corporation',
    SkuDescription: 'Best for businesses that need professional email, cloud file storage, and online meetings',
    UnitOfMeasure: '',
    TermDuration: 'P1Y',
    BillingPlan: 'Annual',
    Market: 'US',
    Currency: 'USD',
    UnitPrice: '60',
    PricingTierRangeMin: '',
    PricingTierRangeMax: '',
    EffectiveStartDate: '2/1/2023 0:00',
    EffectiveEndDate: '11/30/9999 23:59',
    Tags: 'License',
    'ERP Price': '72',
    ...overrides,
  };
}

export function licenseCsv(rows: LicenseSheetRow[], header: readonly string[] = LICENSE_HEADER): string {
  return sheetCsv(rows, header);
}
