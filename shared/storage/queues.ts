import type { QueueClient } from '@azure/storage-queue';
import type { z } from 'zod';
import type { StorageClients } from './clients';
import { poisonQueue, type StorageNames } from './names';

/**
 * Messages on the app's storage queues, written and read the way the Functions queue trigger
 * (storage extension v5) expects them: its default `messageEncoding` is `base64`, so a message
 * that is not Base64 text fails to bind (Microsoft Learn, "Azure Queue storage trigger and
 * bindings for Azure Functions", host.json settings). Event Grid writes its events Base64-encoded
 * too (MicrosoftDocs/azure-docs#102923), so one encoding serves every queue.
 */

/** Base64 of the JSON text: what the trigger decodes before the handler sees it. */
export function encodeMessage(body: unknown): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A message as the Node.js worker hands it to a handler: Base64 decoded, then JSON parsed when it is
 * JSON (else the text). Text that is not Base64 is taken as it is: a producer writing plain JSON (the
 * old Event Grid behaviour, or a message put by hand) is still understood.
 */
export function decodeMessage(text: string): unknown {
  const trimmed = text.trim();
  const decoded =
    trimmed.length % 4 === 0 && BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64').toString('utf8') : trimmed;
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return decoded;
  }
}

/**
 * What a handler got, as a JSON value: the worker passes an object for JSON messages, but a handler
 * called with text (the admin endpoint, a message that was not JSON after the trigger decoded it, an
 * event Base64-encoded twice) gets the same value through this.
 */
export function messageBody(message: unknown): unknown {
  return typeof message === 'string' ? decodeMessage(message) : message;
}

/** Queue messages take at most 64 KiB of Base64 text; ours are a few hundred bytes. */
const SEND_CONCURRENCY = 8;

/**
 * Sends every body (encoded as above), a few at a time. Returns how many were sent. With
 * `visibilityTimeoutSeconds` each stays invisible that long: a delivery scheduled for later.
 */
export async function sendMessages(
  queue: QueueClient,
  bodies: readonly unknown[],
  options: { visibilityTimeoutSeconds?: number } = {},
): Promise<number> {
  let next = 0;
  const delay = options.visibilityTimeoutSeconds;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      await queue.sendMessage(encodeMessage(body), delay ? { visibilityTimeout: delay } : undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, bodies.length) }, worker));
  return bodies.length;
}

/** The client of one of the app's queues (its poison queue with `poison`). */
export function queueClient(storage: StorageClients, queue: keyof StorageNames['queues'], poison = false): QueueClient {
  const name = storage.names.queues[queue];
  return storage.queues.getQueueClient(poison ? poisonQueue(name) : name);
}

/** Creates every queue and its poison queue (idempotent; the host creates a poison queue on first use). */
export async function ensureQueues(storage: StorageClients): Promise<void> {
  const names = Object.values(storage.names.queues).flatMap((name) => [name, poisonQueue(name)]);
  await Promise.all(names.map((name) => storage.queues.getQueueClient(name).createIfNotExists()));
}

/** A message that does not say what it must: redelivering it cannot help (the poison function records it). */
export class MalformedMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessage';
  }
}

/**
 * The message body validated by its schema, or a MalformedMessage naming each field as it was sent
 * (`market: a two-letter market code such as US (got "usa")`).
 */
export function parseMessage<T>(schema: z.ZodType<T>, what: string, message: unknown): T {
  const body = messageBody(message);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.join('.') || 'message';
    const sent = valueAt(body, issue.path);
    const shown = sent === undefined ? 'missing' : `got ${JSON.stringify(sent)?.slice(0, 80)}`;
    return `${field}: ${issue.message} (${shown})`;
  });
  throw new MalformedMessage(`${what} message refused: ${problems.join('; ')}`);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
