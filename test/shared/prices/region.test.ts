import { regionOf } from '../../../shared/prices/region';

const row = (skuDescription: string, skuTitle = '', region = '', location = '') => ({
  skuDescription,
  skuTitle,
  region,
  location,
});

describe('regionOf', () => {
  it.each([
    // Partner Center consumption: the part after the last " - ".
    ['Virtual Machines D2 v3 - US East', '', 'eastus', 'US East'],
    ['Virtual Machines D2 v3 - US West 2', '', 'westus2', 'US West 2'],
    ['Blob Storage Hot LRS Data Stored - EU West', '', 'westeurope', 'EU West'],
    ['Azure App Service Premium v3 P1v3 - AP Southeast', '', 'southeastasia', 'AP Southeast'],
    // Partner Center reservations: one of the comma-separated parts.
    ['Reserved VM Instance, Standard_D2_v3, US East, 1 Year', '', 'eastus', 'US East'],
    ['Reserved VM Instance, Standard_D2_v3, JA East, 3 Years', '', 'japaneast', 'JA East'],
    // No location named: empty, never a guess.
    ['Bandwidth Data Transfer Out - Zone 1', '', '', ''],
    ['SendGrid Bronze', '', '', ''],
    ['Azure App Service Standard S1, ', '', '', ''],
    ['Virtual Machines D2 v3 - US Eastern', '', '', ''],
    ['Virtual Machines D2 v3 - us east', '', '', ''],
    ['Virtual Machines D2 v3 US East', '', '', ''],
    // Two different locations: ambiguous, empty.
    ['Data Transfer, US East, EU West', '', '', ''],
    // The SKU title when the description names none.
    ['Standard D2 v3', 'D2 v3 - CA Central', 'canadacentral', 'CA Central'],
  ])('%j (title %j) → %j / %j', (description, title, region, location) => {
    expect(regionOf(row(description, title))).toEqual({ region, location });
  });

  it('keeps what the Retail Prices API published, whatever the titles say', () => {
    expect(regionOf(row('Virtual Machines / D2 v3 - US East', '', 'westus', 'US West'))).toEqual({
      region: 'westus',
      location: 'US West',
    });
  });
});
