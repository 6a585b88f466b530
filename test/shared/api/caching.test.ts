import { conditionalJson, ifNoneMatchHolds, weakEtag } from '../../../shared/api/caching';
import { requestFor } from '../../../shared/api/endpoint';

describe('weakEtag', () => {
  it('is a weak tag that changes with any part of what the answer was read from', () => {
    const tag = weakEtag(['prices', { market: 'US' }, ['run-a', 'run-b']]);
    expect(tag).toMatch(/^W\/"[\w-]{27}"$/);
    expect(weakEtag(['prices', { market: 'US' }, ['run-a', 'run-b']])).toBe(tag);
    expect(weakEtag(['prices', { market: 'US' }, ['run-a', 'run-c']])).not.toBe(tag);
    expect(weakEtag(['prices', { market: 'DE' }, ['run-a', 'run-b']])).not.toBe(tag);
  });
});

describe('ifNoneMatchHolds (RFC 9110 weak comparison)', () => {
  const tag = 'W/"abc"';
  it.each([
    ['W/"abc"', true],
    ['"abc"', true],
    ['W/"x", W/"abc"', true],
    ['*', true],
    ['W/"abd"', false],
    ['abc', false],
    ['', false],
  ])('%j → %s', (header, holds) => expect(ifNoneMatchHolds(header, tag)).toBe(holds));
  it('no header never holds', () => expect(ifNoneMatchHolds(null, tag)).toBe(false));
});

describe('conditionalJson', () => {
  const validator = {
    validator: ['test', 1],
    freshness: { asOf: '2026-11-01', source: 'sample', createdAt: '2026-11-01T02:30:00.0000000Z' },
  };

  it('answers 200 with ETag, Cache-Control and the freshness of the snapshot read', async () => {
    const response = await conditionalJson(requestFor('/api/x', {}), validator, async () => ({ a: 1 }));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ etag: weakEtag(['test', 1]), 'cache-control': 'private, no-cache' });
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({
      a: 1,
      freshness: { asOf: '2026-11-01', source: 'sample', snapshotTakenAt: '2026-11-01T02:30:00.0000000Z' },
    });
    expect(body.freshness.ageSeconds).toBe(Math.floor((Date.now() - Date.parse('2026-11-01T02:30:00.000Z')) / 1000));
  });

  it('answers 304 without a body and without reading the answer when If-None-Match holds the ETag', async () => {
    const build = jest.fn(async () => ({ a: 1 }));
    const request = requestFor('/api/x', {}, { 'if-none-match': weakEtag(['test', 1]) });
    const response = await conditionalJson(request, validator, build);
    expect(response).toEqual({
      status: 304,
      headers: { etag: weakEtag(['test', 1]), 'cache-control': 'private, no-cache' },
      body: '',
    });
    expect(build).not.toHaveBeenCalled();
  });
});
