import type { CliCommand, CommandArgs } from '../command';
import { UsageError } from '../options';
import type { EventState } from '../../shared/notifications/outbox';

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

async function inputOf(values: CommandArgs['values']) {
  const { subscriptionInputSchema } = await import('../../shared/notifications/subscription');
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
  summary: 'price-change subscriptions: list, create (prints the signing secret once), delete, events, redeliver',
  usage:
    'subscriptions list [--json]\n' +
    'subscriptions create --name N (--webhook URL | --eventgrid) [--market US,DE] [--view …] [--product …] ' +
    '[--sku …] [--tag …] [--code ADD,CHG,DEL,UNC] [--min-change 5 [--direction increase|decrease|any]] [--digest] ' +
    '[--teams URL] [--json]\n' +
    'subscriptions delete <id> [--json]\n' +
    'subscriptions events <id> [--state pending|delivered|dead|cancelled] [--json]\n' +
    'subscriptions redeliver <id> <eventId> [--json]',
  options: {
    name: { type: 'string', value: 'NAME', description: 'create: a label for people (not unique)' },
    webhook: { type: 'string', value: 'URL', description: 'create: the https URL the signed events are posted to' },
    eventgrid: { type: 'boolean', description: "create: publish to the app's Event Grid topic instead of a webhook" },
    market: { type: 'string', value: 'US,DE', description: 'create: only these markets (comma-separated)' },
    view: { type: 'string', value: 'VIEW,…', description: 'create: only these price views (comma-separated)' },
    product: { type: 'string', value: 'ID,…', description: 'create: only these Partner Center product ids' },
    sku: { type: 'string', value: 'ID,…', description: 'create: only these Partner Center SKU ids' },
    tag: { type: 'string', value: 'TAG,…', description: 'create: only prices with one of these tags' },
    code: { type: 'string', value: 'ADD,CHG,…', description: 'create: only these change codes (ADD, CHG, DEL, UNC)' },
    'min-change': {
      type: 'string',
      value: 'PERCENT',
      description: 'create: CHG only when the unit price moved at least this many percent',
    },
    direction: {
      type: 'string',
      value: 'increase|decrease|any',
      description: 'create: with --min-change, which way the price moved (default any)',
    },
    digest: { type: 'boolean', description: 'create: also a daily digest of the changes (GET /api/digests)' },
    teams: {
      type: 'string',
      value: 'URL',
      description: 'create: send the daily digest to this Teams Workflows webhook',
    },
    state: {
      type: 'string',
      value: 'STATE',
      description: 'events: only events in this state (pending, delivered, dead, cancelled)',
    },
  },
  examples: [
    { command: 'subscriptions list', says: 'lists the subscriptions (never their secrets)' },
    {
      command:
        'subscriptions create --name rises --webhook https://example.com/hook --market US --code CHG --min-change 5',
      says: 'subscribes a webhook to US price changes of at least 5 % and prints its signing secret once',
    },
    {
      command: 'subscriptions events 6f1c1f3e-2b7a-4d8e-9a51-0c2d3e4f5a6b --state dead',
      says: "lists the subscription's dead letters with their last error",
    },
  ],
  async run({ values, positionals }, { io, openStorage }) {
    const [action, id, eventId] = positionals;
    if (action === 'create') {
      const input = await inputOf(values);
      const { webhookUrlProblem } = await import('../../shared/notifications/webhookUrl');
      const { createSubscription } = await import('../../shared/notifications/subscriptionStore');
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
    const store = await import('../../shared/notifications/subscriptionStore');
    const outbox = await import('../../shared/notifications/outbox');
    if (action === 'list') {
      const { storage } = await openStorage();
      const subscriptions = await store.listSubscriptions(storage);
      for (const s of subscriptions) io.log(`${s.id}  ${s.name}  ${s.destination.kind}${s.digest ? '  digest' : ''}`);
      io.summary(`${subscriptions.length} subscription(s)`, { ok: true, subscriptions });
      return 0;
    }
    if (!id)
      throw new UsageError(`subscriptions ${action ?? ''}: give list, create, or an action and a subscription id`);
    const { storage } = await openStorage();
    if (action === 'delete') {
      const deleted = await store.deleteSubscription(storage, id);
      io.summary(deleted ? `subscription ${id} deleted` : `no subscription ${id}`, { ok: deleted, id });
      return deleted ? 0 : 1;
    }
    if (action === 'events') {
      const state = values.state as EventState | undefined;
      if (state && !['pending', 'delivered', 'dead', 'cancelled'].includes(state))
        throw new UsageError(`--state ${state}: one of pending, delivered, dead, cancelled`);
      const events = await outbox.listEvents(storage, { subscriptionId: id, state });
      for (const e of events)
        io.log(`${e.rowKey}  ${e.state}  attempts ${e.attempts}${e.lastError ? `  ${e.lastError}` : ''}`);
      io.summary(`${events.length} event(s)`, { ok: true, events });
      return 0;
    }
    if (action === 'redeliver' && eventId) {
      const event = await outbox.requeueEvent(storage, id, eventId);
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
