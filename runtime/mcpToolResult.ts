import { McpContentBlock } from '@azure/functions';
import type { ToolResult } from '../shared/assistant/toolResult';

/**
 * A tool's result as the Functions MCP extension's `call_tool_result` passthrough: the extension
 * (1.3.0 and later) takes the block's JSON as the whole CallToolResult, `isError` included. The
 * library's own McpToolResponse drops `isError` on the way to the host
 * (https://github.com/Azure/azure-functions-nodejs-library/issues/444), so a failed call would reach
 * the assistant as a success; a custom content block is the extension point the library documents
 * for block types it does not know.
 */
export class CallToolResultBlock extends McpContentBlock {
  readonly type = 'call_tool_result';

  constructor(readonly result: ToolResult) {
    super();
  }

  toJSON(): Record<string, unknown> {
    return { ...this.result };
  }
}
