import {
  app,
  type HttpFunctionOptions,
  type HttpHandler,
  type InvocationContext,
  type McpToolTriggerHandler,
  type StorageQueueHandler,
  type TimerFunctionOptions,
  type TimerHandler,
} from '@azure/functions';
import type { ApiDoc } from '../shared/api/endpoint';
import { pagingSecret } from '../shared/api/paging';
import type { AssistantTool } from '../shared/assistant/tool';
import { toolProperties, type ToolProperty } from '../shared/assistant/toolProperties';
import type { ToolResult } from '../shared/assistant/toolResult';
import { settingsSchema } from '../shared/config/settings';
import { poisonQueue, storageNames, type StorageNames } from '../shared/storage/names';
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

export interface QueueRegistration {
  kind: 'queue';
  name: string;
  /** The queue it consumes (the Functions host's queue trigger; the local runner polls it the same way). */
  queue: keyof StorageNames['queues'];
  /** It consumes `<queue>-poison`, where the host moves a message that failed maxDequeueCount times. */
  poison: boolean;
  handler: StorageQueueHandler;
  /** Upload functions: the container whose BlobCreated events reach the queue (the local watcher sends them). */
  uploads?: keyof StorageNames['containers'];
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

export type Registration = HttpRegistration | TimerRegistration | QueueRegistration | McpToolRegistration;

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
 * A storage-queue-triggered function (`app.storageQueue`, connection `AzureWebJobsStorage`). The host
 * Base64-decodes each message and the worker hands JSON over parsed; a handler that throws leaves the
 * message for another delivery, and after maxDequeueCount (host.json) the host moves it to
 * `<queue>-poison`, which a function registered with `poison: true` consumes.
 */
export function queueFunction(
  name: string,
  queue: keyof StorageNames['queues'],
  handler: StorageQueueHandler,
  options: { poison?: boolean; uploads?: keyof StorageNames['containers'] } = {},
): StorageQueueHandler {
  const poison = options.poison ?? false;
  // The queue's name as storage has it: with STORAGE_NAME_PREFIX applied, read when the host loads the app
  // (that one setting only, not cached: the settings as a whole are read on first use, see runtime/services).
  const prefix = settingsSchema.shape.STORAGE_NAME_PREFIX.parse(process.env.STORAGE_NAME_PREFIX || undefined);
  const queueName = storageNames(prefix).queues[queue];
  app.storageQueue(name, {
    queueName: poison ? poisonQueue(queueName) : queueName,
    connection: 'AzureWebJobsStorage',
    handler,
  });
  registrations.push({ kind: 'queue', name, queue, poison, handler, uploads: options.uploads });
  return handler;
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
      settings,
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
