import {
  app,
  type HttpFunctionOptions,
  type HttpHandler,
  type EventGridHandler,
  type InvocationContext,
  type McpToolTriggerHandler,
  type TimerFunctionOptions,
  type TimerHandler,
} from '@azure/functions';
import type { ApiDoc } from '../shared/api/endpoint';
import { pagingSecret } from '../shared/api/paging';
import type { AssistantTool } from '../shared/assistant/tool';
import { toolProperties, type ToolProperty } from '../shared/assistant/toolProperties';
import type { ToolResult } from '../shared/assistant/toolResult';
import type { StorageNames } from '../shared/storage/names';
import { CallToolResultBlock } from './mcpToolResult';
import { appServices, invocationLogger } from './services';

/**
 * The one registration of every function. Each call registers with `app.*` (the Functions host
 * reads that) and records the same options here (the local runner, the OpenAPI document and the
 * tests read this list), so there is no second list of routes or schedules.
 */

export interface HttpRegistration {
  kind: 'http';
  name: string;
  options: HttpFunctionOptions & { route: string; methods: NonNullable<HttpFunctionOptions['methods']> };
  /** What the OpenAPI document says about it: summary and the zod schemas of its query and response. */
  doc?: ApiDoc;
}

export interface TimerRegistration {
  kind: 'timer';
  name: string;
  options: TimerFunctionOptions;
  /** The app setting that holds the schedule (`%NAME%` in `options.schedule`). */
  scheduleSetting: string;
}

export interface BlobRegistration {
  kind: 'blob';
  name: string;
  /** The upload container the function watches (the local runner polls it under the configured prefix). */
  container: keyof StorageNames['containers'];
  /** The handler that takes a blob by name and streams it itself (the runner and tests call this). */
  process: (blobName: string, context: InvocationContext) => Promise<unknown>;
  /** What the Functions host calls with each BlobCreated event: picks the blob out of it and calls `process`. */
  eventHandler: EventGridHandler;
}

export interface McpToolRegistration {
  kind: 'mcpTool';
  name: string;
  /** The tool: its name, description, zod input schema and what it runs. */
  tool: AssistantTool;
  /** Its arguments as the host advertises them (from the tool's input schema). */
  properties: ToolProperty[];
  /** Runs one call on its arguments (what the host's handler and the local MCP endpoint both call). */
  call: (args: unknown, context: InvocationContext, apiOrigin?: string) => Promise<ToolResult>;
  /** What the Functions host calls with each tool call: takes the arguments out of it and calls `call`. */
  handler: McpToolTriggerHandler;
}

export type Registration = HttpRegistration | TimerRegistration | BlobRegistration | McpToolRegistration;

// Request bodies reach the functions as streams, read only as far as each function's limit (a
// POST /api/customers/validate stops at 64 KiB); without this the host hands over the whole body.
app.setup({ enableHttpStream: true });

const registrations: Registration[] = [];

export function registeredFunctions(): readonly Registration[] {
  return registrations;
}

export function httpFunction(name: string, options: HttpRegistration['options'], doc?: ApiDoc): HttpHandler {
  app.http(name, options);
  registrations.push({ kind: 'http', name, options, doc });
  return options.handler;
}

/** `scheduleSetting` names the app setting holding the six-field UTC NCRONTAB schedule. */
export function timerFunction(
  name: string,
  scheduleSetting: string,
  options: Omit<TimerFunctionOptions, 'schedule'>,
): TimerHandler {
  const full: TimerFunctionOptions = { ...options, schedule: `%${scheduleSetting}%` };
  app.timer(name, full);
  registrations.push({ kind: 'timer', name, options: full, scheduleSetting });
  return options.handler;
}

/**
 * A function that handles files dropped into an upload container. In Azure it is driven by the
 * storage account's Event Grid BlobCreated events (an Event Grid trigger: the handler gets the
 * event, not the bytes, and streams the blob itself — the plain blob binding would load a 500 MB
 * upload into memory). Locally the runner polls the container and calls `process` for each blob.
 */
export function blobFunction(
  name: string,
  container: keyof StorageNames['containers'],
  process: BlobRegistration['process'],
): EventGridHandler {
  const eventHandler: EventGridHandler = async (event, context) => {
    // The container's name as the app's storage clients have it: with STORAGE_NAME_PREFIX applied.
    const blobName = blobNameFromSubject(event.subject, appServices().storage.names.containers[container]);
    if (blobName === null) {
      context.warn(`Ignoring event for ${event.subject}: not in this function's container`);
      return;
    }
    await process(blobName, context);
  };
  app.eventGrid(name, { handler: eventHandler });
  registrations.push({ kind: 'blob', name, container, process, eventHandler });
  return eventHandler;
}

/** `/blobServices/default/containers/{container}/blobs/{name}` → name (URL-decoded). */
function blobNameFromSubject(subject: string, container: string): string | null {
  const prefix = `/blobServices/default/containers/${container}/blobs/`;
  return subject.startsWith(prefix) ? decodeURIComponent(subject.slice(prefix.length)) : null;
}

/**
 * An MCP tool for assistants, served by the Functions MCP extension at /runtime/webhooks/mcp. The
 * host hands the call's arguments over in `context.triggerMetadata.mcptoolargs`
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-mcp-tool-trigger); the
 * answer goes back as the whole CallToolResult, so that a failed call arrives with `isError`.
 */
export function mcpToolFunction(name: string, tool: AssistantTool): McpToolTriggerHandler {
  const properties = toolProperties(tool.input);
  const call = (args: unknown, context: InvocationContext, apiOrigin = hostOrigin()) => {
    const { settings, apiStorage } = appServices();
    return tool.run(args, {
      storage: apiStorage,
      logger: invocationLogger(context),
      pagingSecret: pagingSecret(settings),
      apiOrigin,
    });
  };
  const handler: McpToolTriggerHandler = async (_invocation, context) =>
    new CallToolResultBlock(await call(context.triggerMetadata?.mcptoolargs, context));
  app.mcpTool(name, { toolName: tool.toolName, description: tool.description, toolProperties: properties, handler });
  registrations.push({ kind: 'mcpTool', name, tool, properties, call, handler });
  return handler;
}

/** The app's own origin under the Functions host: App Service sets WEBSITE_HOSTNAME (`<app>.azurewebsites.net`). */
function hostOrigin(): string {
  const host = process.env.WEBSITE_HOSTNAME;
  if (!host) return 'http://localhost';
  return /^(localhost|127\.0\.0\.1)(:|$)/.test(host) ? `http://${host}` : `https://${host}`;
}
