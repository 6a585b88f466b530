import { openApiDocument } from '../../../../shared/api/openapi';
import { priceRulesDoc } from '../../../../shared/quotes/endpoints/rules';
import { quotesDoc } from '../../../../shared/quotes/endpoints/quotes';

describe('the OpenAPI document of rules and quotes', () => {
  const doc = openApiDocument(
    [
      { name: 'priceRules', route: 'price-rules/{id}', methods: ['GET', 'PUT', 'DELETE'], doc: priceRulesDoc },
      { name: 'quotes', route: 'quotes', methods: ['POST'], doc: quotesDoc },
    ],
    { title: 'test', version: '0' },
  ) as any;
  const schemas = doc.components.schemas;

  it('publishes request and response bodies as named component schemas', () => {
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'PriceRuleInput',
        'PriceRule',
        'QuoteRequest',
        'QuoteLine',
        'Quote',
        'QuoteLineResult',
        'Error',
      ]),
    );
    const json = (operation: any, part: 'requestBody' | 'response') =>
      (part === 'requestBody' ? operation.requestBody : operation.responses['200']).content['application/json'].schema;
    expect(json(doc.paths['/api/quotes'].post, 'requestBody')).toEqual({ $ref: '#/components/schemas/QuoteRequest' });
    expect(json(doc.paths['/api/quotes'].post, 'response')).toEqual({ $ref: '#/components/schemas/Quote' });
    expect(json(doc.paths['/api/price-rules/{id}'].put, 'requestBody')).toEqual({
      $ref: '#/components/schemas/PriceRuleInput',
    });
    expect(json(doc.paths['/api/price-rules/{id}'].get, 'response')).toEqual({
      $ref: '#/components/schemas/PriceRule',
    });
    expect(doc.paths['/api/price-rules/{id}'].get.requestBody).toBeUndefined();
  });

  it('leaves no reference dangling', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(4);
    for (const ref of refs) {
      expect(ref.startsWith('#/components/schemas/')).toBe(true);
      expect(schemas[ref.slice('#/components/schemas/'.length)]).toBeDefined();
    }
    expect(schemas.QuoteRequest.properties.lines.items).toEqual({ $ref: '#/components/schemas/QuoteLine' });
  });
});
