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
        'Problem',
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
      expect(ref).toMatch(/^#\/components\/(schemas|responses|headers|parameters)\/[^/]+$/);
      const [, , kind, name] = ref.split('/');
      expect(doc.components[kind][name]).toBeDefined();
    }
    expect(schemas.QuoteRequest.properties.lines.items).toEqual({ $ref: '#/components/schemas/QuoteLine' });
  });

  it('documents each method of a rule with its own statuses: PUT 201 or 200, DELETE 204, GET conditional', () => {
    const rule = doc.paths['/api/price-rules/{id}'];
    const statuses = (operation: any) => Object.keys(operation.responses).sort();
    expect(statuses(rule.get)).toEqual(['200', '304', '400', '401', '404', '500', '503']);
    expect(statuses(rule.put)).toEqual(['200', '201', '400', '401', '413', '500', '503']);
    expect(statuses(rule.delete)).toEqual(['204', '400', '401', '500', '503']);
    expect(rule.put.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PriceRule',
    });
    expect(rule.delete.responses['204'].content).toBeUndefined();
    expect(rule.delete.requestBody).toBeUndefined();
    expect(rule.get.responses['200'].headers.ETag).toEqual({ $ref: '#/components/headers/ETag' });
    expect(rule.get.parameters).toContainEqual({ $ref: '#/components/parameters/IfNoneMatch' });
    expect(rule.put.responses['400'].$ref).toBe('#/components/responses/BadRequest');
  });
});
