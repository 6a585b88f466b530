import type { CliCommand, CommandArgs } from '../command';
import { UsageError } from '../options';
import { listEvents, requeueEvent, type EventState } from '../../shared/notifications/outbox';
import { subscriptionInputSchema } from '../../shared/notifications/subscription';
import {
  createSubscription,
  deleteSubscription,
  listSubscriptions,
} from '../../shared/notifications/subscriptionStore';
import { webhookUrlProblem } from '../../shared/notifications/webhookUrl';

/**
 * `subscriptions list | create | delete | events | redeliver`: the subscription API for operators
 * (docs/api.md#price-change-notifications). `create` prints the webhook's signing secret once.
 */

/** The input fields as the command's options name them, for error messages. */
const OPTION_OF: [string, string][] = [
  ['destination.url', '--webhook'],
  ['digest.teamsUrl', '--teams'],
  ['filters.markets', '--market'],
  ['filters.views', '--view'],
  ['filters.productIds', '--product'],
  ['filters.skuIds', '--sku'],
  ['filters.tags', '--tag'],
  ['filters.codes', '--code'],
  ['filters.changePercent.min', '--min-change'],
  ['filters.changePercent.direction', '--direction'],
  ['name', '--name'],
];

const list = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    : undefined;

function inputOf(values: CommandArgs['values']) {
  const minChange = values['min-change'];
  const raw = {
    name: values.name,
    destination: values.eventgrid ? { kind: 'eventgrid' } : { kind: 'webhook', url: values.webhook },
    filters: {
      markets: list(values.market),
      views: list(values.view),
      productIds: list(values.product),
      skuIds: list(values.sku),
      tags: list(values.tag),
      codes: list(values.code),
      changePercent: minChange === undefined ? undefined : { min: minChange, direction: values.direction ?? 'any' },
    },
    digest: values.digest || values.teams ? { teamsUrl: values.teams } : undefined,
  };
  const parsed = subscriptionInputSchema.safeParse(JSON.parse(JSON.stringify(raw)));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.filter((part) => typeof part === 'string').join('.');
  const option = OPTION_OF.find(([prefix]) => field.startsWith(prefix))?.[1] ?? field;
  throw new UsageError(`${option}: ${issue.message}`);
}

export const subscriptionsCommand: CliCommand = {
  name: 'subscriptions',
  usage:
    'subscriptions list | create --name N (--webhook URL | --eventgrid) [--market US,DE] [--view …] [--product …] ' +
    '[--sku …] [--tag …] [--code ADD,CHG,DEL,UNC] [--min-change 5 [--direction increase|decrease|any]] [--digest] ' +
    '[--teams URL] | delete <id> | events <id> [--state pending|delivered|dead|cancelled] | redeliver <id> <eventId> [--json]',
  options: {
    name: { type: 'string' },
    webhook: { type: 'string' },
    eventgrid: { type: 'boolean' },
    market: { type: 'string' },
    view: { type: 'string' },
    product: { type: 'string' },
    sku: { type: 'string' },
    tag: { type: 'string' },
    code: { type: 'string' },
    'min-change': { type: 'string' },
    direction: { type: 'string' },
    digest: { type: 'boolean' },
    teams: { type: 'string' },
    state: { type: 'string' },
  },
  async run({ values, positionals }, { io, openStorage }) {
    const [action, id, eventId] = positionals;
    if (action === 'create') {
      const input = inputOf(values);
      const { settings, storage } = await openStorage();
      for (const [option, url] of [
        ['--webhook', input.destination.kind === 'webhook' ? input.destination.url : undefined],
        ['--teams', input.digest?.teamsUrl],
      ] as const) {
        const problem = url && webhookUrlProblem(url, settings);
        if (problem) throw new UsageError(`${option}: ${problem}`);
      }
      const { subscription, secret } = await createSubscription(storage, input);
      if (secret) io.log('The signing secret is shown this once; store it with the receiver.');
      io.summary(`subscription ${subscription.id} created${secret ? `; signing secret ${secret}` : ''}`, {
        ok: true,
        subscription,
        secret,
      });
      return 0;
    }
    if (action === 'list') {
      const { storage } = await openStorage();
      const subscriptions = await listSubscriptions(storage);
      for (const s of subscriptions) io.log(`${s.id}  ${s.name}  ${s.destination.kind}${s.digest ? '  digest' : ''}`);
      io.summary(`${subscriptions.length} subscription(s)`, { ok: true, subscriptions });
      return 0;
    }
    if (!id)
      throw new UsageError(`subscriptions ${action ?? ''}: give list, create, or an action and a subscription id`);
    const { storage } = await openStorage();
    if (action === 'delete') {
      const deleted = await deleteSubscription(storage, id);
      io.summary(deleted ? `subscription ${id} deleted` : `no subscription ${id}`, { ok: deleted, id });
      return deleted ? 0 : 1;
    }
    if (action === 'events') {
      const state = values.state as EventState | undefined;
      if (state && !['pending', 'delivered', 'dead', 'cancelled'].includes(state))
        throw new UsageError(`--state ${state}: one of pending, delivered, dead, cancelled`);
      const events = await listEvents(storage, { subscriptionId: id, state });
      for (const e of events)
        io.log(`${e.rowKey}  ${e.state}  attempts ${e.attempts}${e.lastError ? `  ${e.lastError}` : ''}`);
      io.summary(`${events.length} event(s)`, { ok: true, events });
      return 0;
    }
    if (action === 'redeliver' && eventId) {
      const event = await requeueEvent(storage, id, eventId);
      io.summary(event ? `event ${eventId} queued again` : `no event ${eventId} of subscription ${id}`, {
        ok: Boolean(event),
        id: eventId,
      });
      return event ? 0 : 1;
    }
    throw new UsageError(
      `subscriptions ${action}: one of list, create, delete <id>, events <id>, redeliver <id> <eventId>`,
    );
  },
};
