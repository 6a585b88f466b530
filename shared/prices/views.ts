import { z } from 'zod';

/**
 * What a price sheet is: Partner Center's view (what is priced) and timeline (prices in force, or
 * the ones announced for next month). A pure model: settings validate PRICES_VIEWS with it.
 */

const PRICE_VIEWS = ['azure_consumption', 'azure_reservations', 'updatedlicensebased'] as const;
export const priceViewSchema = z.enum(PRICE_VIEWS);
export type PriceView = z.infer<typeof priceViewSchema>;

export type Timeline = 'current' | 'future';
