import { ApiError } from '../../../../shared/api/errors';
import { parseFilter, FILTER_MAX_LENGTH } from '../../../../shared/prices/search/filter';

function errorOf(text: string): ApiError {
  try {
    parseFilter(text);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

describe('$filter parser', () => {
  it('parses every operator and function into a tree', () => {
    expect(parseFilter("productTitle eq 'A'")).toEqual({ op: 'eq', field: 'productTitle', value: 'A' });
    expect(parseFilter("region ne 'eastus'")).toEqual({ op: 'ne', field: 'region', value: 'eastus' });
    expect(parseFilter("contains(skuTitle, 'v3')")).toEqual({ op: 'contains', field: 'skuTitle', value: 'v3' });
    expect(parseFilter("startswith(tags,'Az')")).toEqual({ op: 'startswith', field: 'tags', value: 'Az' });
  });

  it('binds and tighter than or, left to right; parentheses override', () => {
    const a = { op: 'eq', field: 'region', value: 'a' };
    const b = { op: 'eq', field: 'region', value: 'b' };
    const c = { op: 'eq', field: 'region', value: 'c' };
    expect(parseFilter("region eq 'a' or region eq 'b' and region eq 'c'")).toEqual({
      op: 'or',
      left: a,
      right: { op: 'and', left: b, right: c },
    });
    expect(parseFilter("(region eq 'a' or region eq 'b') and region eq 'c'")).toEqual({
      op: 'and',
      left: { op: 'or', left: a, right: b },
      right: c,
    });
    expect(parseFilter("region eq 'a' and region eq 'b' and region eq 'c'")).toEqual({
      op: 'and',
      left: { op: 'and', left: a, right: b },
      right: c,
    });
  });

  it("reads '' inside a string as one quote, and keeps every other character", () => {
    expect(parseFilter("productTitle eq 'O''Brien ( or ) eq, '")).toEqual({
      op: 'eq',
      field: 'productTitle',
      value: "O'Brien ( or ) eq, ",
    });
    expect(parseFilter("skuTitle eq ''")).toEqual({ op: 'eq', field: 'skuTitle', value: '' });
  });

  it("maps the Retail API's field names onto ours, keywords and fields in any letter case", () => {
    expect(parseFilter("armRegionName eq 'eastus'")).toMatchObject({ field: 'region' });
    expect(parseFilter("productName EQ 'x'")).toMatchObject({ field: 'productTitle', op: 'eq' });
    expect(parseFilter("CONTAINS(skuname, 'x')")).toMatchObject({ field: 'skuTitle', op: 'contains' });
    expect(parseFilter("currencyCode eq 'EUR'")).toMatchObject({ field: 'currency' });
    expect(parseFilter("type eq 'Consumption'")).toMatchObject({ field: 'priceType' });
    expect(parseFilter("UNITOFMEASURE eq '1 Hour'")).toMatchObject({ field: 'unitOfMeasure' });
  });

  it.each([
    ["productTitle eq 'x", 'a string is not closed by a quote', 17, undefined],
    ["colour eq 'red'", 'unknown field colour', 1, 'colour'],
    ["serviceName eq 'Virtual Machines'", 'field serviceName cannot be filtered', 1, 'serviceName'],
    ["region gt 'a'", 'expected eq or ne after region, found "gt"', 8, 'region'],
    ['region eq eastus', 'expected a value in single quotes, found "eastus"', 11, 'region'],
    ['region eq 5', 'numbers are not accepted', 11, undefined],
    ["(region eq 'a'", 'expected ")", found the end of the filter', 15, undefined],
    ["region eq 'a' region eq 'b'", 'expected and, or or the end, found "region"', 15, undefined],
    ["region eq 'a' and", 'expected a condition, found the end of the filter', 18, undefined],
    ["contains(region 'a')", 'expected ",", found a string', 17, undefined],
    ["region eq 'a'; drop", 'unexpected character ";"', 14, undefined],
    ['', 'is empty', 1, undefined],
  ])('refuses %j: %s at character %d', (text, message, position, field) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ status: 400, code: 'InvalidFilter' });
    expect(error.message).toContain(message);
    expect(error.message).toContain(`(at character ${position})`);
    expect(error.extensions).toEqual({ parameter: '$filter', position, ...(field ? { field } : {}) });
  });

  it('bounds the length and the nesting', () => {
    expect(errorOf(`region eq '${'a'.repeat(FILTER_MAX_LENGTH)}'`).message).toContain('longer than');
    expect(errorOf(`${'('.repeat(40)}region eq 'a'${')'.repeat(40)}`).message).toContain('nested deeper than 32');
  });

  it('keeps an injection attempt a value or refuses it: table key names are not fields', () => {
    expect(parseFilter("productTitle eq 'x'' or PartitionKey ne '''")).toEqual({
      op: 'eq',
      field: 'productTitle',
      value: "x' or PartitionKey ne '",
    });
    expect(errorOf("productTitle eq 'x' or PartitionKey ne ''").extensions).toMatchObject({ field: 'PartitionKey' });
    expect(errorOf("RowKey ge ''").extensions).toMatchObject({ field: 'RowKey' });
  });
});
