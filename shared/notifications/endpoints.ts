import { z } from 'zod';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import {
  jsonResponse,
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
  type ResourceRequest,
} from '../api/endpoint';
import { readJsonBody } from '../api/body';
import { conditionalJson } from '../api/caching';
import { ApiError } from '../api/errors';
import { listEvents, requeueEvent, type EventEntity } from './outbox';
import { destinationSchema, filtersSchema, subscriptionInputSchema, type Subscription } from './subscription';
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
export const MAX_SUBSCRIPTION_BODY_BYTES = 32 * 1024;

const SUBSCRIPTION_NOT_FOUND = 'SubscriptionNotFound: no subscription with this id (`parameter: id`).';
const BAD_BODY =
  'InvalidBody: not JSON, a field is invalid, or a webhook URL is not allowed (`field` names it as sent, e.g. filters.codes[1]).';
const TOO_LARGE = `PayloadTooLarge: the body is larger than ${MAX_SUBSCRIPTION_BODY_BYTES} bytes.`;

export const subscriptionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    destination: destinationSchema,
    filters: filtersSchema,
    digest: z.object({ teamsUrl: z.string().optional() }).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Subscription', description: 'A stored subscription (never its signing secret).' });

const subscriptionListSchema = z
  .object({ subscriptions: z.array(subscriptionSchema) })
  .meta({ id: 'SubscriptionList', description: 'Every subscription.' });

const subscriptionWrittenSchema = z
  .object({
    subscription: subscriptionSchema,
    secret: z.string().nullable().meta({
      description: 'POST of a webhook: its signing secret (`whsec_…`), shown only here; null otherwise (PUT keeps it).',
    }),
  })
  .meta({ id: 'SubscriptionWritten', description: 'A created or replaced subscription.' });

const eventSchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    market: z.string(),
    view: z.string(),
    runId: z.string(),
    code: z.enum(['ADD', 'CHG', 'DEL', 'UNC', 'DIGEST']),
    items: z.number().int(),
    state: z.enum(['pending', 'delivered', 'dead', 'cancelled']),
    attempts: z.number().int(),
    dueAt: z.string(),
    committedAt: z.string(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'NotificationEvent', description: "One event of a subscription's outbox and its delivery state." });

const eventListSchema = z
  .object({ events: z.array(eventSchema) })
  .meta({ id: 'NotificationEventList', description: "A subscription's events." });

export const subscriptionsDoc: ApiDoc = {
  summary: 'Price-change subscriptions: list (GET) and create (POST)',
  methods: {
    GET: {
      summary: 'List the subscriptions (without their secrets)',
      response: subscriptionListSchema,
      errors: { 503: STORAGE_UNAVAILABLE_DOC },
    },
    POST: {
      summary: 'Create a subscription (201; a webhook gets its signing secret, returned only here)',
      description:
        'Body: { name, destination: { kind: "webhook", url } | { kind: "eventgrid" }, filters: { markets, views, ' +
        'productIds, skuIds, tags, codes, changePercent: { min, direction } }, digest: { teamsUrl } }.',
      requestBody: subscriptionInputSchema,
      okStatus: 201,
      response: subscriptionWrittenSchema,
      errors: { 400: BAD_BODY, 413: TOO_LARGE, 503: STORAGE_UNAVAILABLE_DOC },
    },
  },
};

export const subscriptionDoc: ApiDoc = {
  summary: 'One price-change subscription: read (GET), replace (PUT, the secret stays), delete (DELETE)',
  methods: {
    GET: {
      summary: 'Read a subscription',
      response: subscriptionSchema,
      errors: { 404: SUBSCRIPTION_NOT_FOUND, 503: STORAGE_UNAVAILABLE_DOC },
    },
    PUT: {
      summary: 'Replace a subscription (its signing secret stays: `secret` is null)',
      requestBody: subscriptionInputSchema,
      response: subscriptionWrittenSchema,
      errors: { 400: BAD_BODY, 404: SUBSCRIPTION_NOT_FOUND, 413: TOO_LARGE, 503: STORAGE_UNAVAILABLE_DOC },
    },
    DELETE: {
      summary: 'Delete a subscription and cancel its pending events (204)',
      okStatus: 204,
      errors: { 404: SUBSCRIPTION_NOT_FOUND, 503: STORAGE_UNAVAILABLE_DOC },
    },
  },
};

const eventsQuerySchema = z.strictObject({
  state: z
    .enum(['pending', 'delivered', 'dead', 'cancelled'], { error: 'one of pending, delivered, dead, cancelled' })
    .optional()
    .meta({ description: 'Only events in this state; `dead` lists the dead letters.' }),
});

export const subscriptionEventsDoc: ApiDoc = {
  summary: "A subscription's events and their delivery state (dead letters: state=dead)",
  query: eventsQuerySchema,
  response: eventListSchema,
  errors: { 400: 'InvalidParameter: `state`.', 404: SUBSCRIPTION_NOT_FOUND, 503: STORAGE_UNAVAILABLE_DOC },
};

export const redeliverEventDoc: ApiDoc = {
  summary: 'Put one event of the subscription back in line, its attempts reset (202)',
  okStatus: 202,
  response: eventSchema,
  errors: {
    404: 'SubscriptionNotFound, or EventNotFound: the subscription has no event with this id (`parameter: eventId`).',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

interface Services {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
}

/** GET and POST /api/subscriptions */
export function handleSubscriptions(request: ResourceRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    switch (request.method.toUpperCase()) {
      case 'GET': {
        const body = { subscriptions: (await listSubscriptions(services.storage)).map(answerOf) };
        return conditionalJson(request, { validator: ['subscriptions', body] }, () => Promise.resolve(body));
      }
      case 'POST': {
        const input = await parseInput(request, services.settings);
        const { subscription, secret } = await createSubscription(services.storage, input);
        services.logger.info('subscription created', { subscription: subscription.id, kind: input.destination.kind });
        return jsonResponse(201, { subscription: answerOf(subscription), secret });
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${request.method} is not allowed here`);
    }
  });
}

/** GET, PUT and DELETE /api/subscriptions/{id} */
export function handleSubscription(request: ResourceRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    const id = subscriptionId(request.params.id);
    switch (request.method.toUpperCase()) {
      case 'GET': {
        const body = answerOf(found(await getSubscription(services.storage, id), id));
        return conditionalJson(request, { validator: ['subscription', body] }, () => Promise.resolve(body));
      }
      case 'DELETE': {
        found(await deleteSubscription(services.storage, id), id);
        services.logger.info('subscription deleted', { subscription: id });
        return { status: 204, headers: {}, body: '' };
      }
      case 'PUT': {
        const input = await parseInput(request, services.settings);
        const replaced = found(await replaceSubscription(services.storage, id, input), id);
        return jsonResponse(200, { subscription: answerOf(replaced.subscription), secret: replaced.secret });
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${request.method} is not allowed here`);
    }
  });
}

/** GET /api/subscriptions/{id}/events */
export function handleSubscriptionEvents(request: ResourceRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    const id = subscriptionId(request.params.id);
    const { state } = parseQuery(eventsQuerySchema, request);
    found(await getSubscription(services.storage, id), id);
    const events = await listEvents(services.storage, { subscriptionId: id, state });
    const body = { events: events.map(eventAnswer) };
    return conditionalJson(request, { validator: ['subscription-events', body] }, () => Promise.resolve(body));
  });
}

/** POST /api/subscriptions/{id}/events/{eventId}/redeliver */
export function handleRedeliverEvent(request: ResourceRequest, services: Services): Promise<ApiResponse> {
  return runEndpoint(services.logger, async () => {
    const id = subscriptionId(request.params.id);
    const eventId = request.params.eventId ?? '';
    const noEvent = () =>
      new ApiError(404, 'EventNotFound', `eventId: subscription ${id} has no event ${eventId}`, {
        parameter: 'eventId',
      });
    if (!/^[\w.-]{1,400}$/.test(eventId)) throw noEvent();
    found(await getSubscription(services.storage, id), id);
    const event = await requeueEvent(services.storage, id, eventId);
    if (!event) throw noEvent();
    services.logger.info('notification event requeued', { subscription: id, event: eventId });
    return jsonResponse(202, eventAnswer(event));
  });
}

const notFound = (id: string) =>
  new ApiError(404, 'SubscriptionNotFound', `id: no subscription with id ${id}`, { parameter: 'id' });

/** An id that is not a UUID names no subscription: 404, as an unknown one. */
function subscriptionId(value: string | undefined): string {
  if (!value || !z.uuid().safeParse(value).success) throw notFound(value ?? '');
  return value;
}

function found<T>(value: T | null | false, id: string): T {
  if (value === null || value === false) throw notFound(id);
  return value;
}

async function parseInput(request: ResourceRequest, settings: Settings) {
  const input = await readJsonBody(
    subscriptionInputSchema,
    request.body,
    request.headers.get('content-length'),
    MAX_SUBSCRIPTION_BODY_BYTES,
  );
  const urls = {
    'destination.url': input.destination.kind === 'webhook' ? input.destination.url : undefined,
    'digest.teamsUrl': input.digest?.teamsUrl,
  };
  for (const [field, url] of Object.entries(urls)) {
    const problem = url && webhookUrlProblem(url, settings);
    if (problem) throw new ApiError(400, 'InvalidBody', `${field}: ${problem}`, { field });
  }
  return input;
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
