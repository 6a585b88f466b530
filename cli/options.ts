import { priceViewSchema, type PriceView } from '../shared/config/settings';
import { parseDay, todayUtc } from '../shared/core/dates';
import type { Timeline } from '../shared/prices/sources/source';

/** Parsing of the options several commands share; errors name the option. */
export class UsageError extends Error {}

export function asOfOption(value: unknown): string {
  if (value === undefined) return todayUtc();
  const day = parseDay(String(value));
  if (!day) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got "${value}"`);
  return day;
}

export function marketsOption(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const markets = String(value)
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  const bad = markets.filter((m) => !/^[A-Z]{2}$/.test(m));
  if (markets.length === 0 || bad.length > 0)
    throw new UsageError(`--market takes two-letter codes such as US,DE; got "${value}"`);
  return markets;
}

export function viewsOption(value: unknown): PriceView[] | undefined {
  if (value === undefined) return undefined;
  const views = String(value)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = views.filter((v) => !priceViewSchema.safeParse(v).success);
  if (views.length === 0 || bad.length > 0)
    throw new UsageError(`--view takes ${priceViewSchema.options.join(', ')}; got "${value}"`);
  return views as PriceView[];
}

export function timelineOption(value: unknown): Timeline {
  if (value === undefined) return 'current';
  if (value === 'current' || value === 'future') return value;
  throw new UsageError(`--timeline is current or future, got "${value}"`);
}
