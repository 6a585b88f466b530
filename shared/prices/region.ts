import type { PriceRow } from './row';

/**
 * The region of a price. The Retail Prices API gives it as data (`armRegionName`, e.g. `eastus`, and
 * `location`, e.g. `US East`; stored as `region` and `location`). Partner Center Azure plan sheets
 * have no region column: the region appears only inside SkuDescription (and sometimes SkuTitle) as
 * the Retail API's location name — `Virtual Machines D2 v3 - US East` (consumption: the part after
 * the last ` - `) or `Reserved VM Instance, Standard_D2_v3, US East, 1 Year` (reservations: one of the
 * comma-separated parts). Parsing is conservative: only a part that is exactly one of the location
 * names below counts, and a title naming two different locations gives none — an unknown or
 * ambiguous title leaves the region empty rather than guess a wrong one.
 *
 * Location names and ARM region names as the Retail Prices API publishes them
 * (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices; the
 * `location` and `armRegionName` fields of its items).
 */
export const LOCATIONS: Readonly<Record<string, string>> = {
  'US East': 'eastus',
  'US East 2': 'eastus2',
  'US West': 'westus',
  'US West 2': 'westus2',
  'US West 3': 'westus3',
  'US Central': 'centralus',
  'US North Central': 'northcentralus',
  'US South Central': 'southcentralus',
  'US West Central': 'westcentralus',
  'CA Central': 'canadacentral',
  'CA East': 'canadaeast',
  'BR South': 'brazilsouth',
  'EU North': 'northeurope',
  'EU West': 'westeurope',
  'UK South': 'uksouth',
  'UK West': 'ukwest',
  'FR Central': 'francecentral',
  'FR South': 'francesouth',
  'DE West Central': 'germanywestcentral',
  'DE North': 'germanynorth',
  'CH North': 'switzerlandnorth',
  'CH West': 'switzerlandwest',
  'NO East': 'norwayeast',
  'NO West': 'norwaywest',
  'SE Central': 'swedencentral',
  'PL Central': 'polandcentral',
  'IT North': 'italynorth',
  'AP East': 'eastasia',
  'AP Southeast': 'southeastasia',
  'JA East': 'japaneast',
  'JA West': 'japanwest',
  'KR Central': 'koreacentral',
  'KR South': 'koreasouth',
  'AU East': 'australiaeast',
  'AU Southeast': 'australiasoutheast',
  'AU Central': 'australiacentral',
  'AU Central 2': 'australiacentral2',
  'IN Central': 'centralindia',
  'IN South': 'southindia',
  'IN West': 'westindia',
  'AE North': 'uaenorth',
  'AE Central': 'uaecentral',
  'ZA North': 'southafricanorth',
  'ZA West': 'southafricawest',
  'QA Central': 'qatarcentral',
  'IL Central': 'israelcentral',
};

/** The location a title names (a Retail location name), or '' when it names none or several. */
function locationInTitle(title: string): string {
  const parts = new Set<string>();
  const dash = title.lastIndexOf(' - ');
  if (dash >= 0) parts.add(title.slice(dash + 3).trim());
  for (const part of title.split(',')) parts.add(part.trim());
  const found = [...parts].filter((part) => Object.hasOwn(LOCATIONS, part));
  return found.length === 1 ? found[0] : '';
}

/**
 * A row's region and location: as published when the row has them (Retail Prices API), else parsed
 * from SkuDescription, then SkuTitle (Partner Center), else empty.
 */
export function regionOf(row: Pick<PriceRow, 'region' | 'location' | 'skuDescription' | 'skuTitle'>): {
  region: string;
  location: string;
} {
  if (row.region !== '' || row.location !== '') return { region: row.region, location: row.location };
  const location = locationInTitle(row.skuDescription) || locationInTitle(row.skuTitle);
  return { region: location === '' ? '' : LOCATIONS[location], location };
}
