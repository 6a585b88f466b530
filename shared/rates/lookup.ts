import { BASE_CURRENCY, convertAmount } from './rate';
import type { StorageClients } from '../storage/clients';
import {
  rateInSnapshot,
  rateSnapshotOnOrBefore,
  ratesOfSnapshot,
  type RateSnapshot,
  type StoredRate,
} from './snapshots';

/** "The rate in force on day D": from the latest exchange-rate fetch taken on or before D. */

export class RateNotFoundError extends Error {
  constructor(
    readonly day: string,
    readonly currency: string | null,
  ) {
    super(
      currency === null
        ? `no exchange rates were stored on or before ${day}`
        : `no exchange rate for ${currency} in force on ${day}`,
    );
    this.name = 'RateNotFoundError';
  }
}

/** The rates of the fetch in force on the day, by currency (optionally one); RateNotFoundError when it has none. */
export async function ratesOf(
  storage: StorageClients,
  snapshot: RateSnapshot,
  day: string,
  currency?: string,
): Promise<StoredRate[]> {
  if (currency === undefined)
    return (await ratesOfSnapshot(storage, snapshot)).sort((a, b) => a.currency.localeCompare(b.currency));
  const rate = await rateInSnapshot(storage, snapshot, currency);
  if (!rate) throw new RateNotFoundError(day, currency);
  return [rate];
}

export interface Conversion {
  unitPrice: string;
  usdPerUnit: string;
  fromUsdPerUnit: string;
}

export interface Converter {
  snapshot: RateSnapshot;
  target: string;
  /** Loads the rates of these price currencies (one point read each); throws RateNotFoundError for a missing one. */
  prepare(currencies: Iterable<string>): Promise<void>;
  /** An amount in a prepared currency, in the target currency. */
  convert(amount: string, currency: string): Conversion;
}

/**
 * Converts through USD with the rates in force on the day (see CONVERSION for the rounding).
 * `snapshot` is the fetch in force on that day (rateSnapshotOnOrBefore), read by the caller, whose
 * answer's ETag names it.
 */
export async function converterOf(
  storage: StorageClients,
  snapshot: RateSnapshot,
  day: string,
  target: string,
): Promise<Converter> {
  // USD per USD is 1 by definition, whether or not the file lists it.
  const usdPerUnit = new Map<string, string>([[BASE_CURRENCY, '1']]);
  const load = async (currency: string) => {
    if (usdPerUnit.has(currency)) return;
    const rate = await rateInSnapshot(storage, snapshot, currency);
    if (!rate) throw new RateNotFoundError(day, currency);
    usdPerUnit.set(currency, rate.usdPerUnit);
  };
  await load(target);
  return {
    snapshot,
    target,
    async prepare(currencies) {
      await Promise.all([...new Set(currencies)].map(load));
    },
    convert(amount, currency) {
      const from = usdPerUnit.get(currency);
      const to = usdPerUnit.get(target) as string;
      if (from === undefined) throw new Error(`rate of ${currency} not prepared`);
      return { unitPrice: convertAmount(amount, from, to), usdPerUnit: to, fromUsdPerUnit: from };
    },
  };
}

/** The converter to `target` with the fetch in force on the day (quotes, exports): RateNotFoundError when there is none. */
export async function converterFor(storage: StorageClients, day: string, target: string): Promise<Converter> {
  const snapshot = await rateSnapshotOnOrBefore(storage, day);
  if (!snapshot) throw new RateNotFoundError(day, null);
  return converterOf(storage, snapshot, day, target);
}
