import { ruleFor, type MatchableRule, type MatchContext } from '../../../shared/quotes/precedence';

const FROM = '2026-01-01T00:00:00.0000000Z';
const rule = (id: string, scope: MatchableRule['scope'], extra: Partial<MatchableRule> = {}): MatchableRule => ({
  id,
  scope,
  validFrom: FROM,
  validTo: null,
  ...extra,
});

const item: MatchContext = {
  customer: 'contoso',
  customerGroup: 'gold',
  market: 'US',
  view: 'azure_consumption',
  productId: 'DZH318Z0BQ4L',
  skuId: '0001',
  tags: 'Azure;Consumption',
  currency: 'USD',
  instant: '2026-11-01T00:00:00.0000000Z',
};

const winner = (rules: MatchableRule[], context: Partial<MatchContext> = {}) =>
  ruleFor(rules, { ...item, ...context })?.id ?? null;

describe('rule precedence', () => {
  it('answers null without a matching rule', () => {
    expect(winner([rule('other', { customer: 'fabrikam' })])).toBeNull();
  });

  it('ranks what the rule names: SKU > product > tag > view > nothing', () => {
    const rules = [
      rule('all', {}),
      rule('view', { view: 'azure_consumption' }),
      rule('tag', { tag: 'consumption' }),
      rule('product', { productId: 'DZH318Z0BQ4L' }),
      rule('sku', { productId: 'DZH318Z0BQ4L', skuId: '0001' }),
    ];
    for (let n = rules.length; n > 0; n--) expect(winner(rules.slice(0, n))).toBe(rules[n - 1].id);
  });

  it('ranks who first: a customer rule for everything beats a SKU rule for everyone', () => {
    expect(winner([rule('sku', { skuId: '0001' }), rule('customer', { customer: 'contoso' })])).toBe('customer');
    expect(winner([rule('group', { customerGroup: 'gold' }), rule('customer', { customer: 'contoso' })])).toBe(
      'customer',
    );
    expect(winner([rule('sku', { skuId: '0001' }), rule('group', { customerGroup: 'gold' })])).toBe('group');
  });

  it('ranks a market rule above the same rule for every market', () => {
    expect(
      winner([rule('any', { productId: 'DZH318Z0BQ4L' }), rule('us', { productId: 'DZH318Z0BQ4L', market: 'us' })]),
    ).toBe('us');
    expect(winner([rule('de', { market: 'DE' })])).toBeNull();
  });

  it('then the later validFrom, then the smaller id', () => {
    const older = rule('b-older', { tag: 'Azure' });
    const newer = rule('c-newer', { tag: 'Azure' }, { validFrom: '2026-06-01T00:00:00.0000000Z' });
    expect(winner([older, newer])).toBe('c-newer');
    expect(winner([rule('z', {}), rule('a', {})])).toBe('a');
  });

  it('applies a rule from validFrom on and up to (not including) validTo', () => {
    const dated = rule(
      'dated',
      {},
      { validFrom: '2026-11-01T00:00:00.0000000Z', validTo: '2026-12-01T00:00:00.0000000Z' },
    );
    expect(winner([dated], { instant: '2026-10-31T23:59:59.9990000Z' })).toBeNull();
    expect(winner([dated], { instant: '2026-11-01T00:00:00.0000000Z' })).toBe('dated');
    expect(winner([dated], { instant: '2026-11-30T23:59:59.9990000Z' })).toBe('dated');
    expect(winner([dated], { instant: '2026-12-01T00:00:00.0000000Z' })).toBeNull();
  });

  it('matches a fixed-amount rule only in its currency, and tags case-insensitively among several', () => {
    expect(winner([rule('eur', {}, { currency: 'EUR' })])).toBeNull();
    expect(winner([rule('usd', {}, { currency: 'usd' })])).toBe('usd');
    expect(winner([rule('tp', { tag: 'ThirdParty' })], { tags: 'Azure, thirdparty' })).toBe('tp');
    expect(winner([rule('tp', { tag: 'ThirdParty' })])).toBeNull();
  });

  it('does not depend on the order rules are read in', () => {
    const rules = [
      rule('a', { tag: 'Azure' }),
      rule('b', { customerGroup: 'gold' }),
      rule('c', { view: 'azure_consumption', market: 'US' }),
    ];
    const reversed = [...rules].reverse();
    expect(winner(rules)).toBe('b');
    expect(winner(reversed)).toBe('b');
  });
});
