import { z } from 'zod';
import type { StorageClients } from '../../storage/clients';
import type { Logger } from '../../observability/logger';
import { CHECK_LIMIT, priceChanges, SnapshotNotFoundError, type ChangesQuery, type PriceChanges } from '../changes';
import type { PriceVersion } from '../version';
import {
  jsonResponse,
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
} from '../../api/endpoint';
import { ApiError } from '../../api/errors';
import { decodeToken, encodeToken, queryBinding } from '../../api/paging';
import { priceItem } from './item';
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
    404: 'SnapshotNotFound: no price snapshot on or before `from` or `to`.',
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
  query: URLSearchParams,
  storage: StorageClients,
  logger: Logger,
  pagingSecret: string,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const params = parseQuery(priceChangesQuerySchema, query);
    const { market, view, from, to, top } = params;
    const scope = { binding: queryBinding('priceChanges', { market, view, from, to, top }), secret: pagingSecret };
    const token =
      params.continuationToken === undefined ? undefined : decodeToken(params.continuationToken, scope, tokenSchema);
    const changes = await changesOrNotFound(storage, { market, view, from, to, top: params.top, cursor: token?.c });
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
    return jsonResponse(200, {
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
      continuationToken: changes.next ? encodeToken({ s: changes.identity, c: changes.next }, scope) : null,
    });
  });
}

/** The changes asked for; a missing snapshot is the API's 404 SnapshotNotFound. */
async function changesOrNotFound(storage: StorageClients, query: ChangesQuery): Promise<PriceChanges> {
  try {
    return await priceChanges(storage, query);
  } catch (e) {
    if (e instanceof SnapshotNotFoundError)
      throw new ApiError(404, 'SnapshotNotFound', e.message, { parameter: e.parameter });
    throw e;
  }
}
