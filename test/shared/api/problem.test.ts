import { runEndpoint } from '../../../shared/api/endpoint';
import { ApiError } from '../../../shared/api/errors';
import { PROBLEM_TYPES, problemSchema, problemType } from '../../../shared/api/problem';
import { createLogger, memorySink } from '../../../shared/observability/logger';

describe('problem details (RFC 9457)', () => {
  it('names each type by its code in kebab case, one title per type', () => {
    expect(problemType('InvalidParameter')).toBe('/problems/invalid-parameter');
    expect(problemType('RateNotFound')).toBe('/problems/rate-not-found');
    const types = Object.keys(PROBLEM_TYPES).map((code) => problemType(code as keyof typeof PROBLEM_TYPES));
    expect(new Set(types).size).toBe(types.length);
  });

  it('answers an ApiError as application/problem+json with the code, the parameter and the occurrence', async () => {
    const logger = createLogger(memorySink(), '0b5c2f1e-6a0d-4c3e-9c1b-1d2e3f405162');
    const response = await runEndpoint(logger, () =>
      Promise.reject(
        new ApiError(404, 'MarketNotFound', 'market: no azure_consumption prices are stored for DE', {
          parameter: 'market',
        }),
      ),
    );
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(problemSchema.safeParse(JSON.parse(response.body)).success).toBe(true);
    expect(JSON.parse(response.body)).toEqual({
      type: '/problems/market-not-found',
      title: 'No prices are stored for this market and view',
      status: 404,
      detail: 'market: no azure_consumption prices are stored for DE',
      instance: 'urn:uuid:0b5c2f1e-6a0d-4c3e-9c1b-1d2e3f405162',
      code: 'MarketNotFound',
      parameter: 'market',
    });
  });

  it('answers anything unexpected as a 500 problem without its message', async () => {
    const response = await runEndpoint(createLogger(memorySink()), () =>
      Promise.reject(new Error('table xyz: secret detail')),
    );
    expect(response.status).toBe(500);
    expect(response.body).not.toContain('secret detail');
    const problem = JSON.parse(response.body);
    expect(problem).toMatchObject({
      code: 'InternalError',
      status: 500,
      instance: `urn:uuid:${problem.correlationId}`,
    });
  });
});
