import type { CloudEvent } from 'cloudevents';
import type { PriceVersion } from '../prices';
import type { ChangeCode } from './subscription';
import type { ChangedPrice } from './matching';
import { cloudEventsSdk } from './sdk';

/**
 * The CloudEvents 1.0 events the app sends (docs/api.md#price-change-events), built with the
 * `cloudevents` SDK, which validates the attributes. Every attribute and the data are functions of
 * the committed snapshots, the subscription and the batch, so an event computed again after a
 * crash is the same event, byte for byte, under the same id.
 */

const EVENT_SOURCE = '/csp-pricing-functions/prices';

const EVENT_TYPES: Record<ChangeCode, string> = {
  ADD: 'csp.pricing.price.added',
  CHG: 'csp.pricing.price.changed',
  DEL: 'csp.pricing.price.removed',
  UNC: 'csp.pricing.prices.unchanged',
};

/** The compared snapshots, as the event names them. */
export interface EventSnapshots {
  market: string;
  view: string;
  /** The run that committed the later snapshot. */
  runId: string;
  before: { asOf: string; runId: string };
  after: { asOf: string; runId: string; committedAt: string };
}

/** Unique per run × subscription × batch; receivers de-duplicate by it. */
export function eventId(runId: string, subscriptionId: string, code: ChangeCode, batch: string): string {
  return `${runId}.${subscriptionId}.${code}.${batch}`;
}

/**
 * A price as an event carries it. Prices and tier bounds are decimal strings, exactly as published:
 * a receiver's JSON parser would turn a JSON number such as 0.000140 into a binary float.
 */
function eventPrice(version: PriceVersion): Record<string, string | null> {
  return {
    productId: version.productId,
    skuId: version.skuId,
    productTitle: version.productTitle,
    skuTitle: version.skuTitle,
    meterId: version.meterId,
    meterType: version.meterType,
    unitOfMeasure: version.unitOfMeasure,
    termDuration: version.termDuration,
    billingPlan: version.billingPlan,
    tags: version.tags,
    currency: version.currency,
    unitPrice: version.unitPrice,
    erpPrice: version.erpPrice,
    pricingTierRangeMin: version.pricingTierRangeMin,
    pricingTierRangeMax: version.pricingTierRangeMax,
    effectiveStartDate: version.effectiveStartDate,
    effectiveEndDate: version.effectiveEndDate,
  };
}

const EMPTY_ITEMS: ChangedPrice[] = [];

export function changeEvent(
  id: string,
  snapshots: EventSnapshots,
  code: ChangeCode,
  items: ChangedPrice[] = EMPTY_ITEMS,
  counts?: Record<ChangeCode, number>,
): CloudEvent<Record<string, unknown>> {
  return new (cloudEventsSdk().CloudEvent)<Record<string, unknown>>({
    specversion: '1.0',
    id,
    source: EVENT_SOURCE,
    type: EVENT_TYPES[code],
    subject: `${snapshots.market}/${snapshots.view}`,
    // The commit of the later snapshot: the same on every redelivery.
    time: snapshots.after.committedAt,
    datacontenttype: 'application/json',
    data: {
      market: snapshots.market,
      view: snapshots.view,
      runId: snapshots.runId,
      snapshots: { before: snapshots.before, after: { asOf: snapshots.after.asOf, runId: snapshots.after.runId } },
      code,
      ...(counts ? { counts } : {}),
      items: items.map((item) => ({
        code: item.code,
        before: item.before && eventPrice(item.before),
        after: item.after && eventPrice(item.after),
      })),
    },
  });
}

const DIGEST_EVENT_TYPE = 'csp.pricing.digest';

/** A daily digest as an event (for subscriptions without a Teams webhook): the Markdown and the counts. */
export function digestEvent(
  id: string,
  digest: { subscriptionId: string; day: string; name: string },
  time: string,
  data: Record<string, unknown>,
): CloudEvent<Record<string, unknown>> {
  return new (cloudEventsSdk().CloudEvent)<Record<string, unknown>>({
    specversion: '1.0',
    id,
    source: EVENT_SOURCE,
    type: DIGEST_EVENT_TYPE,
    subject: `subscriptions/${digest.subscriptionId}/digests/${digest.day}`,
    time,
    datacontenttype: 'application/json',
    data: { day: digest.day, name: digest.name, ...data },
  });
}
