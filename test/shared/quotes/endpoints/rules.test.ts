import { Readable } from 'node:stream';
import { handlePriceRule, MAX_RULE_BODY_BYTES } from '../../../../shared/quotes/endpoints/rules';
import { listRules } from '../../../../shared/quotes/ruleStore';
import { testStorage } from '../../../helpers/storage';
import { requestFor } from '../../../../shared/api/endpoint';
import { json, logger } from '../../../helpers/apiFixtures';

const { storage } = testStorage();

const call = (method: string, id: string, body?: unknown, headers: Record<string, string> = {}) =>
  handlePriceRule(
    {
      ...requestFor(`/api/price-rules/${encodeURIComponent(id)}`, {}, headers),
      method,
      params: { id },
      body:
        body === undefined
          ? null
          : Readable.from([Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))]),
    },
    storage,
    logger(),
  );

const RULE = {
  scope: { customer: 'contoso', market: 'us', tag: 'Consumption' },
  adjustment: { type: 'markupPercent', percent: '12.5' },
  rounding: { decimals: 2, mode: 'halfEven' },
  validFrom: '2026-11-01',
};

describe('/api/price-rules/{id}', () => {
  it('stores a rule (201), answers it (200), replaces it (200) and deletes it (204, idempotent)', async () => {
    const created = await call('PUT', 'contoso-azure', RULE);
    expect(created.status).toBe(201);
    const stored = {
      id: 'contoso-azure',
      scope: { customer: 'contoso', market: 'US', tag: 'Consumption' },
      adjustment: { type: 'markupPercent', percent: '12.5' },
      rounding: { decimals: 2, mode: 'halfEven' },
      validFrom: '2026-11-01T00:00:00.0000000Z',
      validTo: null,
    };
    expect(json(created)).toEqual(stored);
    const read = await call('GET', 'contoso-azure');
    expect(read.status).toBe(200);
    expect(json(read)).toEqual(stored);
    const etag = read.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    expect(read.headers['cache-control']).toBe('private, no-cache');
    const unchanged = await call('GET', 'contoso-azure', undefined, { 'if-none-match': etag });
    expect(unchanged).toMatchObject({ status: 304, body: '' });
    expect(unchanged.headers.etag).toBe(etag);

    const replaced = await call('PUT', 'contoso-azure', {
      ...RULE,
      adjustment: { type: 'marginPercent', percent: 20 },
    });
    expect(replaced.status).toBe(200);
    // The replaced rule has another ETag: the one kept no longer holds.
    const reread = await call('GET', 'contoso-azure', undefined, { 'if-none-match': etag });
    expect(reread.status).toBe(200);
    expect(reread.headers.etag).not.toBe(etag);
    expect(json(reread).adjustment).toEqual({ type: 'marginPercent', percent: '20' });

    expect((await call('DELETE', 'contoso-azure')).status).toBe(204);
    expect((await call('DELETE', 'contoso-azure')).status).toBe(204);
    const gone = await call('GET', 'contoso-azure');
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toBe('application/problem+json');
    expect(json(gone)).toMatchObject({ status: 404, code: 'RuleNotFound', parameter: 'id' });
  });

  it.each([
    ['adjustment.percent', { ...RULE, adjustment: { type: 'markupPercent', percent: 'ten' } }],
    ['adjustment.percent', { ...RULE, adjustment: { type: 'marginPercent', percent: '100' } }],
    ['adjustment.type', { ...RULE, adjustment: { type: 'discount', percent: '1' } }],
    ['adjustment.currency', { ...RULE, adjustment: { type: 'fixedPerUnit', amount: '0.5' } }],
    ['scope.market', { ...RULE, scope: { market: 'USA' } }],
    ['scope.colour', { ...RULE, scope: { colour: 'red' } }],
    ['rounding.decimals', { ...RULE, rounding: { decimals: 11 } }],
    ['validFrom', { ...RULE, validFrom: '1 Nov 2026' }],
    ['validTo', { ...RULE, validTo: '2026-10-01' }],
    ['adjustment', { ...RULE, adjustment: undefined }],
  ])('refuses a bad rule with 400 naming %s, and stores nothing', async (field, body) => {
    const response = await call('PUT', 'bad-rule', body);
    expect(response.status).toBe(400);
    expect(json(response)).toMatchObject({ status: 400, code: 'InvalidBody', field });
    expect(json(response).detail.startsWith(`${field}: `)).toBe(true);
    expect(json(response).issues[0]).toEqual({ field, detail: expect.any(String) });
    expect((await call('GET', 'bad-rule')).status).toBe(404);
  });

  it('refuses JSON that does not parse, an invalid id and an oversized body', async () => {
    expect(json(await call('PUT', 'r1', '{"scope":'))).toMatchObject({
      code: 'InvalidBody',
      field: 'body',
    });
    const badId = await call('GET', 'no spaces');
    expect(badId.status).toBe(400);
    const { type, title, status, detail, instance, ...extensions } = json(badId);
    expect({ type, title, status }).toEqual({
      type: '/problems/invalid-parameter',
      title: 'A query parameter is invalid',
      status: 400,
    });
    expect(detail).toMatch(/^id: /);
    expect(instance).toMatch(/^urn:uuid:/);
    expect(extensions).toEqual({ code: 'InvalidParameter', parameter: 'id' });
    const large = await call('PUT', 'r1', { ...RULE, description: 'x'.repeat(MAX_RULE_BODY_BYTES) });
    expect(large.status).toBe(413);
    expect(json(large)).toMatchObject({ code: 'PayloadTooLarge', limitBytes: MAX_RULE_BODY_BYTES });
    const declared = await call('PUT', 'r1', RULE, { 'content-length': String(MAX_RULE_BODY_BYTES + 1) });
    expect(declared.status).toBe(413);
    expect(await listRules(storage)).toEqual([]);
  });
});
