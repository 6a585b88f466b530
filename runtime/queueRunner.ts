import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { InvocationContext, type LogLevel } from '@azure/functions';
import type { QueueClient, DequeuedMessageItem } from '@azure/storage-queue';
import { projectRoot } from '../shared/config/paths';
import type { StorageClients } from '../shared/storage/clients';
import { poisonQueue } from '../shared/storage/names';
import { decodeMessage, encodeMessage } from '../shared/storage/queues';
import { blobCreatedEvent } from '../shared/uploads';
import type { QueueRegistration } from './registry';

/**
 * The queue-triggered functions without the Functions host, with the host's semantics (storage
 * extension v5, QueueListener/QueueProcessor): messages are received in batches of `batchSize` while
 * fewer than `newBatchThreshold` run; each stays invisible while it runs (a lease, renewed at half
 * time); success deletes it; a failure makes it visible again after `visibilityTimeout`, or — at
 * `maxDequeueCount` deliveries — moves it to `<queue>-poison`; a message received with a dequeue
 * count above that (its worker died each time) goes to the poison queue unhandled. A worker that dies
 * leaves its message invisible until the lease lapses, then it is delivered again.
 * The settings come from host.json `extensions.queues`, overridden like the host's by app settings
 * `AzureFunctionsJobHost__extensions__queues__<name>`.
 */

export interface QueueOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** After a failure, how long the message stays invisible before its next delivery. */
  visibilityTimeoutMs: number;
  /** The longest wait between polls of an empty queue. */
  maxPollingIntervalMs: number;
  /** How long a received message stays invisible while it runs (renewed at half): the host uses 10 minutes. */
  leaseSeconds: number;
}

/** The host's defaults (Microsoft Learn: host.json settings of the queue trigger, extension 5.x). */
const HOST_DEFAULTS: QueueOptions = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 60_000,
  leaseSeconds: 600,
};

const MIN_POLL_MS = 100;

/** `hh:mm:ss` (host.json TimeSpan) or milliseconds as a number → milliseconds. */
function timeSpanMs(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value) : null;
  if (!match) throw new Error(`host.json extensions.queues.${name}: expected hh:mm:ss, got ${JSON.stringify(value)}`);
  return (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1000;
}

/** host.json's queue settings with the app-setting overrides the host also honours. */
export function hostQueueOptions(
  hostJsonPath: string,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<QueueOptions> = {},
): QueueOptions {
  const hostJson = JSON.parse(fs.readFileSync(hostJsonPath, 'utf8')) as {
    extensions?: { queues?: Record<string, unknown> };
  };
  const configured: Record<string, unknown> = { ...hostJson.extensions?.queues };
  for (const [key, value] of Object.entries(env)) {
    const match = /^AzureFunctionsJobHost__extensions__queues__(\w+)$/.exec(key);
    if (match && value !== undefined) configured[match[1]] = /^\d+$/.test(value) ? Number(value) : value;
  }
  const number = (name: string, fallback: number) => {
    const value = configured[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new Error(`host.json extensions.queues.${name}: expected a whole number, got ${JSON.stringify(value)}`);
    return value;
  };
  const span = (name: string, fallback: number) =>
    configured[name] === undefined ? fallback : timeSpanMs(configured[name], name);
  return {
    batchSize: number('batchSize', HOST_DEFAULTS.batchSize),
    newBatchThreshold: number('newBatchThreshold', HOST_DEFAULTS.newBatchThreshold),
    maxDequeueCount: number('maxDequeueCount', HOST_DEFAULTS.maxDequeueCount),
    visibilityTimeoutMs: span('visibilityTimeout', HOST_DEFAULTS.visibilityTimeoutMs),
    maxPollingIntervalMs: span('maxPollingInterval', HOST_DEFAULTS.maxPollingIntervalMs),
    leaseSeconds: HOST_DEFAULTS.leaseSeconds,
    ...overrides,
  };
}

/** host.json at the root of the app (the same file from runtime/ under ts-jest and from dist/runtime). */
export const hostJsonPath = (): string => path.join(projectRoot(), 'host.json');

function queueNameOf(fn: QueueRegistration, storage: StorageClients): string {
  const name = storage.names.queues[fn.queue];
  return fn.poison ? poisonQueue(name) : name;
}

function contextFor(fn: QueueRegistration, message: DequeuedMessageItem, log: (line: string) => void) {
  return new InvocationContext({
    functionName: fn.name,
    invocationId: randomUUID(),
    logHandler: (level: LogLevel, ...args: unknown[]) => log(`[${fn.name}] ${level}: ${args.map(String).join(' ')}`),
    // What the host's queue trigger puts in the trigger metadata.
    triggerMetadata: {
      id: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
    },
  });
}

/** Consumes every queue function's queue; returns a stop function that waits for running messages. */
export function startQueueFunctions(
  functions: readonly QueueRegistration[],
  storage: StorageClients,
  options: QueueOptions,
  log: (line: string) => void,
): () => Promise<void> {
  const consumers = functions.map((fn) => consume(fn, storage, options, log));
  return async () => {
    await Promise.all(consumers.map((stop) => stop()));
  };
}

function consume(
  fn: QueueRegistration,
  storage: StorageClients,
  options: QueueOptions,
  log: (line: string) => void,
): () => Promise<void> {
  const name = queueNameOf(fn, storage);
  const queue = storage.queues.getQueueClient(name);
  const poison = storage.queues.getQueueClient(poisonQueue(name));
  const running = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let idleMs = MIN_POLL_MS;
  // Created once (ensureStorage creates it too; a runner on other storage may start first).
  let created = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const loop = async () => {
    while (!stopped) {
      if (running.size > options.newBatchThreshold) {
        await Promise.race(running);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        if (!created) {
          await queue.createIfNotExists();
          created = true;
        }
        const received = await queue.receiveMessages({
          numberOfMessages: Math.min(Math.max(options.batchSize, 1), 32),
          visibilityTimeout: options.leaseSeconds,
        });
        messages = received.receivedMessageItems;
      } catch (e) {
        log(`[${fn.name}] polling ${name}: ${(e as Error).message}`);
      }
      for (const message of messages) {
        const task = handle(fn, queue, poison, message, options, log).finally(() => running.delete(task));
        running.add(task);
      }
      if (messages.length > 0) {
        idleMs = MIN_POLL_MS;
        continue;
      }
      await sleep(idleMs);
      // The host backs off exponentially on an empty queue, up to maxPollingInterval.
      idleMs = Math.min(idleMs * 2, Math.max(options.maxPollingIntervalMs, MIN_POLL_MS));
    }
  };
  const done = loop();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    wake?.();
    await done;
    await Promise.allSettled(running);
  };
}

async function handle(
  fn: QueueRegistration,
  queue: QueueClient,
  poison: QueueClient,
  message: DequeuedMessageItem,
  options: QueueOptions,
  log: (line: string) => void,
): Promise<void> {
  let popReceipt = message.popReceipt;
  const toPoison = async () => {
    await poison.createIfNotExists();
    await poison.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, popReceipt);
    log(`[${fn.name}] message ${message.messageId} moved to ${poison.name} after ${message.dequeueCount} deliveries`);
  };
  try {
    if (message.dequeueCount > options.maxDequeueCount) return await toPoison();
    // Keeps the message invisible while it runs, as the host renews its lease.
    const renew = setInterval(
      () => {
        queue
          .updateMessage(message.messageId, popReceipt, undefined, options.leaseSeconds)
          .then((r) => (popReceipt = r.popReceipt ?? popReceipt))
          .catch((e: unknown) => log(`[${fn.name}] renewing ${message.messageId}: ${(e as Error).message}`));
      },
      Math.max(options.leaseSeconds * 500, 250),
    );
    let failure: unknown;
    try {
      await fn.handler(decodeMessage(message.messageText), contextFor(fn, message, log));
    } catch (e) {
      failure = e;
    } finally {
      clearInterval(renew);
    }
    if (failure === undefined) {
      await queue.deleteMessage(message.messageId, popReceipt);
      return;
    }
    log(`[${fn.name}] failed (delivery ${message.dequeueCount}): ${(failure as Error).message}`);
    if (message.dequeueCount >= options.maxDequeueCount) return await toPoison();
    await queue.updateMessage(message.messageId, popReceipt, undefined, Math.ceil(options.visibilityTimeoutMs / 1000));
  } catch (e) {
    // Storage failed us: the message reappears once its lease lapses, as under the host.
    log(`[${fn.name}] message ${message.messageId}: ${(e as Error).message}`);
  }
}

/**
 * What the admin endpoint does with a queue function: puts `input` on its queue, as a producer would —
 * for an upload function the input is a blob name, for which it writes the BlobCreated event Event Grid
 * would write; otherwise the input is the message's JSON text.
 */
export async function enqueueInput(fn: QueueRegistration, storage: StorageClients, input: string): Promise<void> {
  const queue = storage.queues.getQueueClient(queueNameOf(fn, storage));
  await queue.createIfNotExists();
  if (!fn.uploads) {
    await queue.sendMessage(Buffer.from(input, 'utf8').toString('base64'));
    return;
  }
  const container = storage.blobs.getContainerClient(storage.names.containers[fn.uploads]);
  const blob = container.getBlobClient(input);
  const properties = await blob.getProperties();
  await queue.sendMessage(
    encodeMessage(
      blobCreatedEvent({
        url: blob.url,
        container: container.containerName,
        name: input,
        etag: properties.etag ?? '',
        contentType: properties.contentType,
        contentLength: properties.contentLength,
      }),
    ),
  );
}

const WATCH_MS = 2000;

/**
 * Locally, in place of the Event Grid subscription: every new blob (name and ETag not seen by this
 * process) in an upload container becomes a BlobCreated event on its function's queue, in Event Grid's
 * shape and encoding. A blob still in the container when the runner restarts is sent again; the
 * upload handling makes that harmless (an upload is handled once, see shared/uploads/placement).
 */
export function watchUploads(
  functions: readonly QueueRegistration[],
  storage: StorageClients,
  log: (line: string) => void,
): () => void {
  const watched = functions.filter((fn) => fn.uploads && !fn.poison);
  const seen = new Set<string>();
  let stopped = false;
  let handle: NodeJS.Timeout | undefined;
  const tick = async () => {
    for (const fn of watched) {
      const container = storage.blobs.getContainerClient(storage.names.containers[fn.uploads!]);
      if (!(await container.exists())) continue;
      for await (const blob of container.listBlobsFlat()) {
        const key = `${container.containerName}/${blob.name}/${blob.properties.etag}`;
        if (seen.has(key)) continue;
        await enqueueInput(fn, storage, blob.name);
        seen.add(key);
      }
    }
  };
  const loop = () => {
    if (stopped) return;
    tick()
      .catch((e: unknown) => log(`upload watcher: ${(e as Error).message}`))
      .finally(() => {
        if (!stopped) handle = setTimeout(loop, WATCH_MS);
      });
  };
  loop();
  return () => {
    stopped = true;
    if (handle) clearTimeout(handle);
  };
}
