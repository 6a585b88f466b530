import {
  app,
  type HttpFunctionOptions,
  type HttpHandler,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
  type McpToolTriggerHandler,
  type StorageQueueHandler,
  type Timer,
  type TimerFunctionOptions,
} from '@azure/functions';
import type { ApiDoc } from '../shared/api/endpoint';
import { ASSISTANT_TOOLS, toolDeclaration, type AssistantToolName } from '../shared/assistant/catalog';
import type { AssistantTool } from '../shared/assistant/tool';
import type { ToolProperty } from '../shared/assistant/toolProperties';
import type { ToolResult } from '../shared/assistant/toolResult';
import { namePrefixSetting, poisonQueue, storageNames, type StorageNames } from '../shared/storage/names';
import { CallToolResultBlock } from './mcpToolResult';
import type { InvocationServices } from './services';

/**
 * The one registration of every function. Each call registers with `app.*` (the Functions host
 * reads that) and records the same options here (the local runner, the OpenAPI document and the
 * tests read this list), so there is no second list of routes or schedules.
 *
 * A function file names its trigger and how to load its implementation; the implementation (and
 * with it zod, the SDKs and the feature's modules) is loaded on the function's first invocation, so
 * that the host's load of the app registers the triggers and little else: a cold start's cost
 * (docs/operations.md: Cold start). Every implementation gets the process's services and a logger
 * of its invocation (runtime/services).
 */

/** An HTTP function's implementation, and what the OpenAPI document says about it. */
export interface HttpImplementation {
  handler: (request: HttpRequest, services: InvocationServices) => Promise<HttpResponseInit>;
  /** Summary and the zod schemas of its query and response. */
  doc?: ApiDoc;
}
export type TimerImplementation = (timer: Timer, services: InvocationServices) => Promise<void>;
export type QueueImplementation = (message: unknown, services: InvocationServices) => Promise<unknown>;

type HttpTrigger = Omit<HttpFunctionOptions, 'handler'> & {
  route: string;
  methods: NonNullable<HttpFunctionOptions['methods']>;
};

export interface HttpRegistration {
  kind: 'http';
  name: string;
  options: HttpTrigger & { handler: HttpHandler };
  /** Its documentation, from its implementation (loaded for it if not yet). */
  doc: () => Promise<ApiDoc | undefined>;
}

export interface TimerRegistration {
  kind: 'timer';
  name: string;
  options: TimerFunctionOptions;
  /** The app setting that holds the schedule (`%NAME%` in `options.schedule`). */
  scheduleSetting: string;
}

export interface QueueTrigger {
  /** The queue it consumes (the Functions host's queue trigger; the local runner polls it the same way). */
  queue: keyof StorageNames['queues'];
  /** It consumes `<queue>-poison`, where the host moves a message that failed maxDequeueCount times. */
  poison?: boolean;
  /** Upload functions: the container whose BlobCreated events reach the queue (the local watcher sends them). */
  uploads?: keyof StorageNames['containers'];
}

export interface QueueRegistration extends QueueTrigger {
  kind: 'queue';
  name: string;
  poison: boolean;
  handler: StorageQueueHandler;
}

export interface McpToolRegistration {
  kind: 'mcpTool';
  name: string;
  toolName: AssistantToolName;
  description: string;
  /** Its arguments as the host advertises them (shared/assistant/catalog). */
  properties: ToolProperty[];
  /** The tool itself: its zod input schema and what it runs. */
  tool: () => Promise<AssistantTool>;
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

/** Loads once, on the first call; a load that failed is tried again on the next. */
function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

/** runtime/services: settings, storage clients and loggers, loaded with the first invocation (it imports zod). */
const servicesModule = onFirstUse(() => import('./services'));

async function servicesOf(context: InvocationContext): Promise<InvocationServices> {
  return (await servicesModule()).invocationServices(context);
}

export function httpFunction(name: string, trigger: HttpTrigger, load: () => Promise<HttpImplementation>): void {
  const implementation = onFirstUse(load);
  const handler: HttpHandler = async (request, context) => {
    const [{ handler: handle }, services] = await Promise.all([implementation(), servicesOf(context)]);
    return handle(request, services);
  };
  const options = { ...trigger, handler };
  app.http(name, options);
  registrations.push({ kind: 'http', name, options, doc: async () => (await implementation()).doc });
}

/** `scheduleSetting` names the app setting holding the six-field UTC NCRONTAB schedule. */
export function timerFunction(name: string, scheduleSetting: string, load: () => Promise<TimerImplementation>): void {
  const implementation = onFirstUse(load);
  const options: TimerFunctionOptions = {
    schedule: `%${scheduleSetting}%`,
    handler: async (timer, context) => {
      const [run, services] = await Promise.all([implementation(), servicesOf(context)]);
      await run(timer, services);
    },
  };
  app.timer(name, options);
  registrations.push({ kind: 'timer', name, options, scheduleSetting });
}

/**
 * A storage-queue-triggered function (`app.storageQueue`, connection `AzureWebJobsStorage`). The host
 * Base64-decodes each message and the worker hands JSON over parsed; a handler that throws leaves the
 * message for another delivery, and after maxDequeueCount (host.json) the host moves it to
 * `<queue>-poison`, which a function registered with `poison: true` consumes.
 */
export function queueFunction(name: string, trigger: QueueTrigger, load: () => Promise<QueueImplementation>): void {
  const poison = trigger.poison ?? false;
  // The queue's name as storage has it, with STORAGE_NAME_PREFIX applied: read when the host loads the app.
  const queueName = storageNames(namePrefixSetting(process.env.STORAGE_NAME_PREFIX)).queues[trigger.queue];
  const implementation = onFirstUse(load);
  const handler: StorageQueueHandler = async (message, context) => {
    const [run, services] = await Promise.all([implementation(), servicesOf(context)]);
    return run(message, services);
  };
  app.storageQueue(name, {
    queueName: poison ? poisonQueue(queueName) : queueName,
    connection: 'AzureWebJobsStorage',
    handler,
  });
  registrations.push({ kind: 'queue', name, ...trigger, poison, handler });
}

/**
 * An MCP tool for assistants, served by the Functions MCP extension at /runtime/webhooks/mcp. The
 * host hands the call's arguments over in `context.triggerMetadata.mcptoolargs`
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-mcp-tool-trigger); the
 * answer goes back as the whole CallToolResult, so that a failed call arrives with `isError`.
 */
export function mcpToolFunction(name: string, toolName: AssistantToolName): void {
  const { description, properties } = toolDeclaration(toolName);
  const tool = onFirstUse(ASSISTANT_TOOLS[toolName]);
  const call = async (args: unknown, context: InvocationContext, apiOrigin = hostOrigin()) => {
    const [loaded, { apiStorage, logger, pagingSecret, settings }] = await Promise.all([tool(), servicesOf(context)]);
    return loaded.run(args, { storage: apiStorage, logger, pagingSecret, settings, apiOrigin });
  };
  const handler: McpToolTriggerHandler = async (_invocation, context) =>
    new CallToolResultBlock(await call(context.triggerMetadata?.mcptoolargs, context));
  app.mcpTool(name, { toolName, description, toolProperties: properties, handler });
  registrations.push({ kind: 'mcpTool', name, toolName, description, properties, tool, call, handler });
}

/** The app's own origin under the Functions host: App Service sets WEBSITE_HOSTNAME (`<app>.azurewebsites.net`). */
function hostOrigin(): string {
  const host = process.env.WEBSITE_HOSTNAME;
  if (!host) return 'http://localhost';
  return /^(localhost|127\.0\.0\.1)(:|$)/.test(host) ? `http://${host}` : `https://${host}`;
}
