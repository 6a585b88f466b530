import { InvocationContext } from '@azure/functions';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultBlock } from '../../runtime/mcpToolResult';
import { registeredFunctions, type McpToolRegistration } from '../../runtime/registry';
import { ensureStorage } from '../../shared/storage/ensure';
import { testStorage } from '../helpers/storage';

/**
 * The tools as the Functions host calls them: the handler registered with app.mcpTool gets the call's
 * arguments in triggerMetadata.mcptoolargs (as strings: the extension hands them over as text) and
 * answers the `call_tool_result` block, whose JSON the MCP extension takes as the whole CallToolResult.
 */

const { settings, storage } = testStorage();

beforeAll(async () => {
  await ensureStorage(storage);
  // The handlers read their settings from the environment, as under the Functions host.
  process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
  process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  require('../../functions/mcpSearchPrices');
  require('../../functions/mcpValidateCustomer');
});

function registration(name: string): McpToolRegistration {
  const found = registeredFunctions().find((r) => r.name === name);
  if (found?.kind !== 'mcpTool') throw new Error(`${name} is not registered as an MCP tool`);
  return found;
}

/** What the extension sends: the invocation context as the trigger value, the arguments in the trigger metadata. */
async function invoke(name: string, args: Record<string, string>) {
  const { handler, toolName } = registration(name);
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: name,
    triggerMetadata: { mcptoolargs: args },
    logHandler: (_level, ...parts) => logs.push(parts.map(String).join(' ')),
  });
  const value = await handler({ name: toolName, arguments: args }, context);
  expect(value).toBeInstanceOf(CallToolResultBlock);
  const block = value as CallToolResultBlock;
  expect(block.type).toBe('call_tool_result');
  // The library sends the block's JSON as the result's content; the extension parses it as a CallToolResult.
  return { result: CallToolResultSchema.parse(JSON.parse(JSON.stringify(block))), logs };
}

describe('MCP tool handlers under the Functions host', () => {
  it('answers a failed call with isError set, naming the argument', async () => {
    const { result } = await invoke('mcpSearchPrices', { market: 'US', top: '0' });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: expect.stringContaining('"argument":"top"') }]);
  });

  it('takes numbers sent as text (top: "5") as the endpoint does', async () => {
    // Storage holds no prices here: past the arguments' validation, the lookup finds no market.
    const { result } = await invoke('mcpSearchPrices', { market: 'US', top: '5' });
    expect(result.isError).toBe(true);
    const failure = JSON.parse((result.content[0] as { text: string }).text) as Record<string, unknown>;
    expect(failure).toMatchObject({ code: 'MarketNotFound', status: 404 });
    expect(failure.argument).not.toBe('top');
  });

  it('validates a customer without the INN or phone number in the result or the log', async () => {
    const { result, logs } = await invoke('mcpValidateCustomer', {
      country: 'RU',
      organizationRegistrationNumber: '7707083893',
      phoneNumber: '+7 912 345 67 89',
    });
    const text = (result.content[0] as { text: string }).text;
    expect(JSON.parse(text)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(logs.join('\n')).toContain('customer validated');
    for (const value of ['7707083893', '9123456789', '912 345 67 89'])
      expect(`${text}\n${logs.join('\n')}`).not.toContain(value);
  });
});
