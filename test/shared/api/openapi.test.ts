import { openApiDocument } from '../../../shared/api/openapi';

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
    ]);
  });
});
