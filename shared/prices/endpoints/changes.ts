import { z } from 'zod';
import type { StorageClients } from '../../storage/clients';
import type { Logger } from '../../observability/logger';
import {
  CHECK_LIMIT,
  comparedSnapshots,
  priceChanges,
  SnapshotNotFoundError,
  type ChangesQuery,
  type ComparedSnapshots,
} from '../changes';
import type { PriceVersion } from '../version';
import {
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiRequest,
  type ApiResponse,
} from '../../api/endpoint';
import { conditionalJson } from '../../api/caching';
import { ApiError } from '../../api/errors';
import { decodeToken, encodeToken, pageLinks, queryBinding } from '../../api/paging';
import { priceItem } from './item';
import { marketSnapshots } from './market';
import { priceChangesQuerySchema, priceChangesResponseSchema } from '../../api/schemas';

export const priceChangesDoc: ApiDoc = {
  summary: 'What changed between two price lists',
  description:
    'Compares the current price snapshots in force on `from` and `to` (the latest taken on or before each ' +
    'day): `added` = listed on `to` only, `removed` = listed on `from` only, `changed` = listed on both with a ' +
    'different price in force (`before`/`after`). A version republished with other content under the same ' +
    'EffectiveStartDate is reported as changed with `before` = null: only its latest content is stored. With ' +
    '`to=future`, the current list in force on `from` is compared with the future list fetched on or before ' +
    "`from` (the pricing guide's change types: new → `added`, changed price → `changed`, deleted by " +
    'EffectiveEndDate → `removed`, unchanged → `counts.unchanged`). Each list holds at most `top` items per ' +
    'page; `counts.candidates` is the number of prices listed differently on both (the changed list holds ' +
    `those whose price differs; up to ${CHECK_LIMIT} are checked per page). Each item carries Partner Center's ` +
    'change code (`code`: ADD in `added`, CHG in `changed`, DEL in `removed`); `counts` also has `ADD`, `CHG` ' +
    '(= `candidates`, an upper bound), `DEL` and `UNC` (= `unchanged`).',
  query: priceChangesQuerySchema,
  response: priceChangesResponseSchema,
  errors: {
    400: 'A parameter is invalid, unknown or repeated; the continuation token was altered or belongs to another query.',
    404:
      'MarketNotFound: no price snapshot of the market and view is stored; SnapshotNotFound: none on or before ' +
      '`from` or `to` (or no future list fetched on or before `from`).',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

/** The token's cursor: `s` the compared snapshots' identity, `c` the positions (short keys: it travels in URLs). */
const tokenSchema = z.strictObject({
  s: z.string().max(200),
  c: z.strictObject({
    added: z.number().int().min(0),
    changed: z.number().int().min(0),
    removed: z.number().int().min(0),
  }),
});

/** `pagingSecret` signs the continuation tokens (shared/api/paging). */
export async function handlePriceChanges(
  request: ApiRequest,
  storage: StorageClients,
  logger: Logger,
  pagingSecret: string,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const params = parseQuery(priceChangesQuerySchema, request);
    const { market, view, from, to, top } = params;
    const scope = { binding: queryBinding('priceChanges', { market, view, from, to, top }), secret: pagingSecret };
    const token =
      params.continuationToken === undefined ? undefined : decodeToken(params.continuationToken, scope, tokenSchema);
    const query: ChangesQuery = { market, view, from, to, top, cursor: token?.c };
    const state = await marketSnapshots(storage, market, view);
    const compared = await snapshotsOrNotFound(storage, query);
    // The runs too: a later run may republish a compared version with other content.
    const validator = ['priceChanges', query, compared.before, compared.after, state.runs];
    return conditionalJson(request, { validator, freshness: compared.after }, async () => {
      const changes = await priceChanges(storage, query, compared);
      // A token from before a re-ingest of either day no longer fits.
      if (token && token.s !== changes.identity) {
        throw new ApiError(
          400,
          'InvalidContinuationToken',
          'continuationToken: the compared snapshots changed since the first page; start again',
          { parameter: 'continuationToken' },
        );
      }
      const item = (version: PriceVersion) => priceItem(version, view);
      return {
        market,
        view,
        from,
        to,
        snapshots: changes.snapshots,
        added: changes.added.map((version) => ({ code: 'ADD', ...item(version) })),
        changed: changes.changed.map((change) => ({
          code: 'CHG',
          before: change.before && item(change.before),
          after: item(change.after),
        })),
        removed: changes.removed.map((version) => ({ code: 'DEL', ...item(version) })),
        counts: changes.counts,
        ...pageLinks(request.url, changes.next ? encodeToken({ s: changes.identity, c: changes.next }, scope) : null),
      };
    });
  });
}

/** The snapshots compared; a missing one is the API's 404 SnapshotNotFound. */
async function snapshotsOrNotFound(storage: StorageClients, query: ChangesQuery): Promise<ComparedSnapshots> {
  try {
    return await comparedSnapshots(storage, query);
  } catch (e) {
    if (e instanceof SnapshotNotFoundError)
      throw new ApiError(404, 'SnapshotNotFound', e.message, { parameter: e.parameter });
    throw e;
  }
}
