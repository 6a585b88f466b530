import { z } from 'zod';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { readBody, type EndpointRequest } from '../api/request';
import {
  jsonResponse,
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
} from '../api/endpoint';
import { ApiError } from '../api/errors';
import { listEvents, requeueEvent, type EventEntity } from './outbox';
import { subscriptionInputSchema, type Subscription } from './subscription';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  replaceSubscription,
} from './subscriptionStore';
import { webhookUrlProblem } from './webhookUrl';

/**
 * The subscription API (docs/api.md#price-change-notifications): create, list, read, replace and
 * delete subscriptions, list a subscription's events (dead letters among them) and requeue one.
 */

/** A subscription is a few hundred bytes; filters hold at most a few hundred short codes. */
const MAX_BODY_BYTES = 32 * 1024;

const NOT_FOUND = 'NotFound: no subscription (or event) with this id.';

export const subscriptionsDoc: ApiDoc = {
  summary: 'Price-change subscriptions: list (GET) and create (POST)',
  description:
    'POST body: { name, destination: { kind: "webhook", url } | { kind: "eventgrid" }, filters: { markets, views, ' +
    'productIds, skuIds, tags, codes, changePercent: { min, direction } } }. Answers 201 with the subscription and, ' +
    'for a webhook, its signing secret (returned only here).',
  errors: {
    400: 'InvalidBody: the body is not JSON or a field is invalid (the message names it).',
    413: 'PayloadTooLarge',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

export const subscriptionDoc: ApiDoc = {
  summary: 'One price-change subscription: read (GET), replace (PUT, the secret stays), delete (DELETE)',
  errors: { 400: 'InvalidBody', 404: NOT_FOUND, 503: STORAGE_UNAVAILABLE_DOC },
};

const eventsQuerySchema = z.strictObject({
  state: z.enum(['pending', 'delivered', 'dead', 'cancelled']).optional().meta({
    description: 'Only events in this state; `dead` lists the dead letters.',
  }),
});

export const subscriptionEventsDoc: ApiDoc = {
  summary: "A subscription's events and their delivery state (dead letters: state=dead)",
  query: eventsQuerySchema,
  errors: { 400: 'InvalidParameter', 404: NOT_FOUND, 503: STORAGE_UNAVAILABLE_DOC },
};

export const redeliverEventDoc: ApiDoc = {
  summary: 'Put one event of the subscription back in line, its attempts reset (202)',
  errors: { 404: NOT_FOUND, 503: STORAGE_UNAVAILABLE_DOC },
};

interface Services {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
}

/** GET and POST /api/subscriptions */
export function handleSubscriptions(request: EndpointRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    if (request.method === 'GET')
      return jsonResponse(200, { subscriptions: (await listSubscriptions(services.storage)).map(answerOf) });
    const input = await parseInput(request, services.settings);
    const { subscription, secret } = await createSubscription(services.storage, input);
    services.logger.info('subscription created', { subscription: subscription.id, kind: input.destination.kind });
    return jsonResponse(201, { subscription: answerOf(subscription), secret });
  });
}

/** GET, PUT and DELETE /api/subscriptions/{id} */
export function handleSubscription(request: EndpointRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    const id = subscriptionId(request.params.id);
    if (request.method === 'GET')
      return jsonResponse(200, answerOf(found(await getSubscription(services.storage, id))));
    if (request.method === 'DELETE') {
      found(await deleteSubscription(services.storage, id));
      services.logger.info('subscription deleted', { subscription: id });
      return { status: 204, headers: {}, body: '' };
    }
    const input = await parseInput(request, services.settings);
    const replaced = found(await replaceSubscription(services.storage, id, input));
    return jsonResponse(200, { subscription: answerOf(replaced.subscription), secret: replaced.secret });
  });
}

/** GET /api/subscriptions/{id}/events */
export function handleSubscriptionEvents(request: EndpointRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    const id = subscriptionId(request.params.id);
    const { state } = parseQuery(eventsQuerySchema, request.query);
    found(await getSubscription(services.storage, id));
    const events = await listEvents(services.storage, { subscriptionId: id, state });
    return jsonResponse(200, { events: events.map(eventAnswer) });
  });
}

/** POST /api/subscriptions/{id}/events/{eventId}/redeliver */
export function handleRedeliverEvent(request: EndpointRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    const id = subscriptionId(request.params.id);
    const eventId = request.params.eventId;
    if (!/^[\w.-]{1,400}$/.test(eventId)) throw new ApiError(404, 'NotFound', 'eventId: no such event');
    const event = found(await requeueEvent(services.storage, id, eventId));
    services.logger.info('notification event requeued', { subscription: id, event: eventId });
    return jsonResponse(202, eventAnswer(event));
  });
}

function subscriptionId(value: string | undefined): string {
  if (!value || !z.uuid().safeParse(value).success)
    throw new ApiError(404, 'NotFound', 'id: no subscription with this id', { parameter: 'id' });
  return value;
}

function found<T>(value: T | null | false): T {
  if (value === null || value === false)
    throw new ApiError(404, 'NotFound', 'id: no subscription or event with this id');
  return value;
}

async function parseInput(request: EndpointRequest, settings: Settings) {
  const text = await readBody(request.body, request.contentLength, MAX_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'InvalidBody', 'The body must be a JSON object (it is not valid JSON)');
  }
  const parsed = subscriptionInputSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const field = fieldPath(issue.path, issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
      return { field, message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message };
    });
    throw new ApiError(400, 'InvalidBody', `${issues[0].field}: ${issues[0].message}`, {
      field: issues[0].field,
      issues,
    });
  }
  const urls = {
    'destination.url': parsed.data.destination.kind === 'webhook' ? parsed.data.destination.url : undefined,
    'digest.teamsUrl': parsed.data.digest?.teamsUrl,
  };
  for (const [field, url] of Object.entries(urls)) {
    const problem = url && webhookUrlProblem(url, settings);
    if (problem) throw new ApiError(400, 'InvalidBody', `${field}: ${problem}`, { field });
  }
  return parsed.data;
}

/** `filters.codes[1]`: the field as the caller wrote it in the JSON. */
function fieldPath(path: readonly PropertyKey[], key?: string): string {
  const parts = key === undefined ? path : [...path, key];
  const text = parts.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  return text.replace(/^\./, '') || 'body';
}

const answerOf = (subscription: Subscription) => ({
  id: subscription.id,
  name: subscription.name,
  destination: subscription.destination,
  filters: subscription.filters,
  digest: subscription.digest ?? null,
  createdAt: subscription.createdAt,
});

const eventAnswer = (event: EventEntity) => ({
  id: event.rowKey,
  subscriptionId: event.subscriptionId,
  market: event.market,
  view: event.view,
  runId: event.runId,
  code: event.code,
  items: event.items,
  state: event.state,
  attempts: event.attempts,
  dueAt: event.dueAt,
  committedAt: event.committedAt,
  createdAt: event.createdAt,
  deliveredAt: event.deliveredAt ?? null,
  lastStatus: event.lastStatus ?? null,
  lastError: event.lastError || null,
});
