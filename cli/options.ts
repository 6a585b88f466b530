import type { CommandArgs } from './command';
import { parseDay, todayUtc } from '../shared/core/dates';
import { priceViewSchema, type PriceView, type Timeline } from '../shared/prices/views';

/** Parsing of the options several commands share; errors name the option. */
export class UsageError extends Error {}

type OptionValue = CommandArgs['values'][string];

/** An option's value as the caller typed it (options parse as strings; repeated ones as lists). */
function optionText(value: OptionValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function asOfOption(value: OptionValue): string {
  if (value === undefined) return todayUtc();
  const day = parseDay(optionText(value));
  if (!day) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got "${optionText(value)}"`);
  return day;
}

export function marketsOption(value: OptionValue): string[] | undefined {
  if (value === undefined) return undefined;
  const markets = optionText(value)
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  const bad = markets.filter((m) => !/^[A-Z]{2}$/.test(m));
  if (markets.length === 0 || bad.length > 0)
    throw new UsageError(`--market takes two-letter codes such as US,DE; got "${optionText(value)}"`);
  return markets;
}

export function viewsOption(value: OptionValue): PriceView[] | undefined {
  if (value === undefined) return undefined;
  const views = optionText(value)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = views.filter((v) => !priceViewSchema.safeParse(v).success);
  if (views.length === 0 || bad.length > 0)
    throw new UsageError(`--view takes ${priceViewSchema.options.join(', ')}; got "${optionText(value)}"`);
  return views as PriceView[];
}

export function timelineOption(value: OptionValue): Timeline {
  if (value === undefined) return 'current';
  if (value === 'current' || value === 'future') return value;
  throw new UsageError(`--timeline is current or future, got "${optionText(value)}"`);
}
