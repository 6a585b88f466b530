import { openApiDocument } from '../../../shared/api/openapi';
import { priceChangesDoc } from '../../../shared/prices/endpoints/changes';

describe('openApiDocument', () => {
  it('turns route parameters into required path parameters, constraints dropped', () => {
    const doc = openApiDocument([{ name: 'item', route: 'prices/{id}/tiers/{tier:int?}', methods: ['GET'] }], {
      title: 'test',
      version: '0',
    }) as { paths: Record<string, { get: { parameters: unknown[] } }> };
    expect(Object.keys(doc.paths)).toEqual(['/api/prices/{id}/tiers/{tier}']);
    expect(doc.paths['/api/prices/{id}/tiers/{tier}'].get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'tier', in: 'path', required: true, schema: { type: 'string' } },
      { $ref: '#/components/parameters/IfNoneMatch' },
    ]);
  });
});

describe('the price changes operation', () => {
  it("documents Partner Center's change codes on each item and in the counts", () => {
    const doc = openApiDocument(
      [{ name: 'priceChanges', route: 'prices/changes', methods: ['GET'], doc: priceChangesDoc }],
      { title: 'test', version: '0' },
    ) as any;
    const ok = doc.paths['/api/prices/changes'].get.responses['200'].content['application/json'].schema;
    expect(ok).toEqual({ $ref: '#/components/schemas/PriceChangesResponse' });
    const body = doc.components.schemas.PriceChangesResponse;
    expect(body.properties.added.items.properties.code).toMatchObject({ const: 'ADD' });
    expect(body.properties.changed.items.properties.code).toMatchObject({ const: 'CHG' });
    expect(body.properties.removed.items.properties.code).toMatchObject({ const: 'DEL' });
    expect(body.properties.counts.required).toEqual(
      expect.arrayContaining(['added', 'removed', 'unchanged', 'candidates', 'ADD', 'CHG', 'DEL', 'UNC']),
    );
  });
});

describe('statuses', () => {
  const info = { title: 'test', version: '0' };
  it('documents a success other than 200, and refuses an error status without a named response', () => {
    const doc = openApiDocument(
      [{ name: 'remove', route: 'rules/{id}', methods: ['DELETE'], doc: { summary: 'Remove', okStatus: 204 } }],
      info,
    ) as any;
    const responses = doc.paths['/api/rules/{id}'].delete.responses;
    expect(Object.keys(responses).sort()).toEqual(['204', '401', '500']);
    expect(responses['204']).toEqual({ description: 'No content' });
    expect(() =>
      openApiDocument(
        [{ name: 'clash', route: 'x', methods: ['PUT'], doc: { summary: 'x', errors: { 409: 'Conflict' } } }],
        info,
      ),
    ).toThrow('clash: status 409 needs a named response in ERROR_RESPONSES');
  });
});
