import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { InvocationContext } from '@azure/functions';
// The low-level Server, not McpServer: McpServer validates arguments against a zod schema itself,
// before the tool runs, with its own messages. Here, as under the Functions host, the tool gets the
// arguments as sent and names the one at fault itself, and tools/list advertises what the host does.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { projectRoot } from '../shared/config/paths';
import type { ToolProperty } from '../shared/assistant/toolProperties';
import type { McpToolRegistration } from './registry';

/**
 * The MCP tools over MCP's streamable HTTP transport, at the path where the Functions MCP extension
 * serves them (https://learn.microsoft.com/azure/azure-functions/functions-bindings-mcp), with the
 * official SDK. Stateless: each POST is answered on its own (a fresh server and transport), no
 * session id, no server-initiated stream (GET and DELETE answer 405), since every tool is a lookup.
 */

export const MCP_PATH = '/runtime/webhooks/mcp';

/** A tool call's arguments are a few short strings: 64 KiB, as for a customer to validate (SDK default: 4 MiB). */
export const MAX_MCP_BODY_BYTES = 64 * 1024;

/** The server's name, version and instructions: host.json `extensions.mcp`, which the extension reads in Azure. */
const hostJsonSchema = z.object({
  extensions: z.object({
    mcp: z.object({ serverName: z.string(), serverVersion: z.string(), instructions: z.string() }),
  }),
});

function serverInfo(): z.output<typeof hostJsonSchema>['extensions']['mcp'] {
  const text = fs.readFileSync(path.join(projectRoot(), 'host.json'), 'utf8');
  return hostJsonSchema.parse(JSON.parse(text)).extensions.mcp;
}

/**
 * A tool's input schema as the extension builds it from the tool's properties (type and description
 * of each, and `required`), so that tools/list answers here what it answers in Azure.
 */
export function inputSchemaOf(properties: readonly ToolProperty[]) {
  return {
    type: 'object' as const,
    properties: Object.fromEntries(
      properties.map((p) => [
        p.propertyName,
        p.isArray
          ? { type: 'array', items: { type: p.propertyType }, description: p.description }
          : { type: p.propertyType, description: p.description },
      ]),
    ),
    required: properties.filter((p) => p.isRequired).map((p) => p.propertyName),
  };
}

/** `origin` is the scheme and host the runner was called at: the base of the lookups' `nextLink`s. */
export type McpHandler = (req: http.IncomingMessage, res: http.ServerResponse, origin: string) => Promise<void>;

export function mcpHandler(
  tools: readonly McpToolRegistration[],
  contextFor: (functionName: string) => InvocationContext,
): McpHandler {
  const info = serverInfo();
  const listing = tools.map(({ toolName, description, properties }) => ({
    name: toolName,
    description,
    inputSchema: inputSchemaOf(properties),
  }));
  const byName = new Map<string, McpToolRegistration>(
    tools.map((registration) => [registration.toolName, registration]),
  );

  return async (req, res, origin) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: ErrorCode.ConnectionClosed, message: 'Method not allowed: this MCP server is stateless' },
          id: null,
        }),
      );
      return;
    }
    const server = new Server(
      { name: info.serverName, version: info.serverVersion },
      { capabilities: { tools: {} }, instructions: info.instructions },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const registration = byName.get(request.params.name);
      // What the extension answers for a tool it does not have.
      if (!registration) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: '${request.params.name}'`);
      return registration.call(request.params.arguments, contextFor(registration.name), origin);
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
    });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
}
