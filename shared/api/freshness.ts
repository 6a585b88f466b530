import { z } from 'zod';

/**
 * How fresh an answer is: the snapshot it was read from (a price sheet or an exchange-rate fetch),
 * carried in the body of every data answer as `freshness`.
 */

/** What a snapshot tells about itself: the day it is of, where it came from, when it was stored. */
export interface SnapshotMark {
  asOf: string;
  source: string;
  /** The instant the snapshot was committed, as stored (ISO 8601 UTC, seven fraction digits). */
  createdAt: string;
}

export interface Freshness {
  asOf: string;
  source: string;
  snapshotTakenAt: string;
  ageSeconds: number;
}

export function freshnessOf(mark: SnapshotMark, now = Date.now()): Freshness {
  return {
    asOf: mark.asOf,
    source: mark.source,
    snapshotTakenAt: mark.createdAt,
    ageSeconds: Math.max(0, Math.floor((now - Date.parse(mark.createdAt)) / 1000)),
  };
}

export const freshnessSchema = z
  .object({
    asOf: z.string().meta({ description: 'The day (UTC) the snapshot is of.', example: '2026-11-01' }),
    source: z.string().meta({ description: 'Where it came from: partnercenter, retail, ecb, sample, file, upload…' }),
    snapshotTakenAt: z.string().meta({
      description: 'When it was stored (ISO 8601 UTC).',
      example: '2026-11-01T02:30:41.9590000Z',
    }),
    ageSeconds: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Seconds since snapshotTakenAt when this answer was made.' }),
  })
  .meta({
    id: 'Freshness',
    description:
      'The snapshot the answer was read from: prices, the newest price sheet of the market and view; price ' +
      'changes, the later side compared; exchange rates, the fetch in force.',
  });
