import type { AssistantTool } from './tool';
import type { ToolProperty } from './toolProperties';
import declarations from './toolCatalog.json';

/**
 * Every assistant tool by its MCP name, each module loaded on first use: a tool's input schema and
 * what it runs pull in zod and the endpoints, which a cold start should not pay for.
 */
export const ASSISTANT_TOOLS = {
  search_prices: async () => (await import('./searchPrices')).searchPricesTool,
  get_item_price: async () => (await import('./itemPrice')).itemPriceTool,
  get_price_changes: async () => (await import('./priceChanges')).priceChangesTool,
  get_exchange_rates: async () => (await import('./exchangeRates')).exchangeRatesTool,
  validate_customer: async () => (await import('./validateCustomer')).validateCustomerTool,
  create_quote: async () => (await import('./createQuote')).createQuoteTool,
} satisfies Record<string, () => Promise<AssistantTool>>;

export type AssistantToolName = keyof typeof ASSISTANT_TOOLS;

/** What the Functions host advertises of a tool: its description and arguments (toolProperties of its input). */
export interface ToolDeclaration {
  description: string;
  properties: ToolProperty[];
}

/**
 * The tools' declarations as the host needs them at registration, when the app loads: generated
 * from the tools by `npm run mcp:catalog` into toolCatalog.json (a test fails when it is stale), so
 * registering them neither loads the tools nor converts their schemas.
 */
export function toolDeclaration(name: AssistantToolName): ToolDeclaration {
  const declared = (declarations as Record<string, ToolDeclaration | undefined>)[name];
  if (!declared) throw new Error(`MCP tool ${name}: not in shared/assistant/toolCatalog.json (npm run mcp:catalog)`);
  return declared;
}

/** The declarations of every tool, from the tools themselves: what toolCatalog.json must hold. */
export async function declareTools(): Promise<Record<AssistantToolName, ToolDeclaration>> {
  const { toolProperties } = await import('./toolProperties');
  const entries = await Promise.all(
    Object.entries(ASSISTANT_TOOLS).map(async ([name, load]) => {
      const tool = await load();
      if (tool.toolName !== name) throw new Error(`MCP tool ${name}: its module names it ${tool.toolName}`);
      return [name, { description: tool.description, properties: toolProperties(tool.input) }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<AssistantToolName, ToolDeclaration>;
}
