/**
 * Which price rule applies to an item: the most specific rule whose scope matches and whose validity
 * covers the instant (docs/design.md, "Price rules: precedence"). Pure: rules and items are plain data.
 *
 * Specificity is compared field by field, the first difference deciding:
 *  1. who: a rule naming the customer beats one naming its customer group, which beats one naming neither;
 *  2. what: SKU (with or without its product) > product > tag > view > nothing;
 *  3. where: a rule naming the market beats one that does not;
 *  4. the rule valid from later (a newer rule replaces an older one of the same scope);
 *  5. the smaller id (so that two equal rules never depend on the order they were read in).
 */

export interface RuleScope {
  customer?: string;
  customerGroup?: string;
  market?: string;
  view?: string;
  productId?: string;
  skuId?: string;
  tag?: string;
}

export interface MatchableRule {
  id: string;
  scope: RuleScope;
  /** Normalized instants; `validTo` null: open-ended. */
  validFrom: string;
  validTo: string | null;
  /** A fixed amount per unit is in one currency: such a rule matches only items priced in it. */
  currency?: string;
}

export interface MatchContext {
  customer?: string;
  customerGroup?: string;
  market: string;
  view: string;
  productId: string;
  skuId: string;
  /** The item's Tags column as published (one or more tags, separated by commas, semicolons or spaces). */
  tags: string;
  currency: string;
  /** Normalized instant the price is wanted for. */
  instant: string;
}

const sameCode = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

/** The item's tags, upper-cased: `ThirdParty`, `Reservation`, `Consumption`, `Azure`, … */
function tagsOf(tags: string): string[] {
  return tags
    .split(/[,;\s]+/)
    .filter((tag) => tag !== '')
    .map((tag) => tag.toUpperCase());
}

export function ruleMatches(rule: MatchableRule, item: MatchContext): boolean {
  const { scope } = rule;
  if (rule.validFrom > item.instant || (rule.validTo !== null && rule.validTo <= item.instant)) return false;
  if (rule.currency !== undefined && !sameCode(rule.currency, item.currency)) return false;
  if (scope.customer !== undefined && scope.customer !== item.customer) return false;
  if (scope.customerGroup !== undefined && scope.customerGroup !== item.customerGroup) return false;
  if (scope.market !== undefined && !sameCode(scope.market, item.market)) return false;
  if (scope.view !== undefined && scope.view !== item.view) return false;
  if (scope.productId !== undefined && scope.productId !== item.productId) return false;
  if (scope.skuId !== undefined && scope.skuId !== item.skuId) return false;
  if (scope.tag !== undefined && !tagsOf(item.tags).includes(scope.tag.toUpperCase())) return false;
  return true;
}

/** Higher is more specific; compared in this order. */
function specificity(rule: MatchableRule): number[] {
  const { scope } = rule;
  const who = scope.customer !== undefined ? 2 : scope.customerGroup !== undefined ? 1 : 0;
  const what =
    scope.skuId !== undefined
      ? 4
      : scope.productId !== undefined
        ? 3
        : scope.tag !== undefined
          ? 2
          : scope.view !== undefined
            ? 1
            : 0;
  const where = scope.market !== undefined ? 1 : 0;
  return [who, what, where];
}

/** Negative when `a` takes precedence over `b`. */
export function comparePrecedence(a: MatchableRule, b: MatchableRule): number {
  const [sa, sb] = [specificity(a), specificity(b)];
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i] - sa[i];
  if (a.validFrom !== b.validFrom) return a.validFrom > b.validFrom ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The rule that applies to the item, or null when none matches. */
export function ruleFor<R extends MatchableRule>(rules: readonly R[], item: MatchContext): R | null {
  let best: R | null = null;
  for (const rule of rules) {
    if (!ruleMatches(rule, item)) continue;
    if (best === null || comparePrecedence(rule, best) < 0) best = rule;
  }
  return best;
}
