import { priceChangesQuerySchema } from '../api/schemas';
import { handlePriceChanges } from '../prices';
import { queryTool } from './tool';

/** What changed between two dates: GET /api/prices/changes. */
export const priceChangesTool = queryTool({
  toolName: 'get_price_changes',
  description:
    'What changed in one market and price-sheet view between two dates: the price list in force on `from` ' +
    'compared with the one in force on `to` (or, with to=future, with the announced future list). Returns the ' +
    'JSON of GET /api/prices/changes: `added` (code ADD), `changed` (code CHG, with `before` and `after`), ' +
    '`removed` (code DEL), each item with unitPrice written with exactly its published digits, `counts` over ' +
    'all pages, `snapshots` (the days of the lists compared), and `continuationToken` for the next page (call ' +
    'again with the same arguments plus the token). A failed call answers an error naming the argument at ' +
    'fault (SnapshotNotFound: no price list on or before that date).',
  input: priceChangesQuerySchema,
  path: '/api/prices/changes',
  endpoint: (request, { storage, logger, pagingSecret }) => handlePriceChanges(request, storage, logger, pagingSecret),
});
