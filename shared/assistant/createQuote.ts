import { Readable } from 'node:stream';
import { z } from 'zod';
import { handleQuote, quoteRequestSchema } from '../quotes';
import { argumentFailure, endpointResult, type AssistantTool } from './tool';
import { toolError } from './toolResult';

/**
 * Under the Functions host the MCP extension hands every argument over as text, so `lines` may
 * arrive as the JSON text of the array; an MCP client over HTTP sends the array itself. Either is
 * read here, then the quotes endpoint validates the body with its own schema and messages.
 */
const quoteArguments = z.record(z.string(), z.unknown()).transform((args) => {
  const { lines } = args;
  if (typeof lines !== 'string') return args;
  try {
    return { ...args, lines: JSON.parse(lines) as unknown };
  } catch {
    return args;
  }
});

/** A quote through POST /api/quotes: the same request body, the same answer (exact decimal amounts). */
export const createQuoteTool: AssistantTool = {
  toolName: 'create_quote',
  description:
    'Price a list of items for a customer: published price, partner cost after partner-earned credit, and the ' +
    "customer's price after the partner's price rules. Give the `market` (two letters), optionally `date` " +
    '(default now), `currency` (converts with the exchange rates of that day), `customer` and `customerGroup` ' +
    '(pick price rules), and `lines`: a list of { meterId } or { productId, skuId }, with `quantity` and, for ' +
    'license-based items, `termDuration` (P1M, P1Y, P3Y) and `billingPlan` (Monthly, Annual, Triennial). ' +
    'Returns JSON: per line the item, the tiers applied, amount, partnerCost, customerAmount, the rule applied ' +
    'and monthly equivalents; then total, partnerCostTotal, customerTotal, currency and the rate used. Amounts ' +
    'are exact decimals. A line naming nothing in force (ItemNotFound) or several prices (AmbiguousItem) is an ' +
    'error naming the line, e.g. lines[1].',
  input: quoteRequestSchema,
  async run(args, { storage, settings, logger }) {
    const parsed = quoteArguments.safeParse(args ?? {});
    if (!parsed.success) return toolError(argumentFailure(parsed.error, Object.keys(quoteRequestSchema.shape)));
    const body = Buffer.from(JSON.stringify(parsed.data), 'utf8');
    return endpointResult(await handleQuote(Readable.from([body]), String(body.length), storage, settings, logger));
  },
};
