import { parseFilter } from '../../../../shared/prices/search/filter';
import { matchesFilter } from '../../../../shared/prices/search/match';
import type { PriceVersion } from '../../../../shared/prices/version';

const version = {
  productTitle: 'Virtual Machines Dv3 Series',
  skuTitle: 'D2 v3',
  region: 'eastus',
  location: 'US East',
  tags: 'Azure;Consumption',
  unitOfMeasure: '1 Hour',
  termDuration: '',
  currency: 'USD',
} as unknown as PriceVersion;

const matches = (filter: string) => matchesFilter(version, parseFilter(filter));

describe('matchesFilter', () => {
  it.each([
    ["productTitle eq 'Virtual Machines Dv3 Series'", true],
    ["productTitle eq 'VIRTUAL MACHINES DV3 SERIES'", true],
    ["productTitle eq 'Virtual Machines'", false],
    ["productTitle ne 'Virtual Machines'", true],
    ["armRegionName ne 'EastUS'", false],
    ["contains(productName, 'machines dv3')", true],
    ["contains(tags, 'consumption')", true],
    ["contains(tags, 'Reservation')", false],
    ["startswith(skuTitle, 'd2')", true],
    ["startswith(skuTitle, 'v3')", false],
    ["contains(skuTitle, '')", true],
    ["termDuration eq ''", true],
    ["location eq 'US East' and unitOfMeasure eq '1 Hour'", true],
    ["location eq 'US East' and unitOfMeasure eq '1 GB'", false],
    ["location eq 'EU West' or unitOfMeasure eq '1 Hour'", true],
    ["location eq 'EU West' or unitOfMeasure eq '1 GB' and region eq 'eastus'", false],
    ["(location eq 'EU West' or unitOfMeasure eq '1 Hour') and currencyCode eq 'usd'", true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});
