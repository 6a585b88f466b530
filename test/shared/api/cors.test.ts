import { corsHeaders, EXPOSE_HEADERS } from '../../../shared/api/cors';

describe('corsHeaders (what the platform CORS does in Azure, played by the local runner)', () => {
  const allowed = ['https://portal.example.com', 'http://localhost:3000'];

  it('answers a preflight from an allowed origin with the methods, the headers the API reads and a max age', () => {
    expect(corsHeaders({ origin: 'http://localhost:3000', preflight: true }, allowed)).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers': 'Content-Type, If-None-Match, x-functions-key',
      'access-control-max-age': '600',
    });
  });

  it('lets an allowed origin read ETag and Retry-After of an answer', () => {
    expect(corsHeaders({ origin: 'https://portal.example.com', preflight: false }, allowed)).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': 'https://portal.example.com',
      'access-control-expose-headers': EXPOSE_HEADERS,
    });
    expect(EXPOSE_HEADERS).toBe('ETag, Retry-After');
  });

  it.each([
    ['another origin', 'https://evil.example.com'],
    ['the same host with a path', 'https://portal.example.com/'],
    ['another scheme', 'http://portal.example.com'],
    ['no Origin header', null],
  ])('gives %s no CORS header but Vary', (_what, origin) => {
    expect(corsHeaders({ origin, preflight: true }, allowed)).toEqual({ vary: 'Origin' });
  });

  it('adds nothing when no origin is configured, and * answers any origin with *', () => {
    expect(corsHeaders({ origin: 'https://portal.example.com', preflight: false }, [])).toEqual({});
    expect(corsHeaders({ origin: 'https://any.example.org', preflight: false }, ['*'])).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': EXPOSE_HEADERS,
    });
  });
});
