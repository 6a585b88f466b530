import { randomUUID } from 'node:crypto';
import { nowInstant } from '../core/dates';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { ifFound } from '../storage/errors';
import { newWebhookSecret } from './signing';
import { subscriptionInputSchema, type Subscription, type SubscriptionInput } from './subscription';

/**
 * Subscriptions in Table Storage, one entity each (partition `subscription`, row key its id). The
 * destination and filters are stored as the JSON the schema validated; a webhook's signing secret
 * in a property of its own, which only `webhookSecret` reads: listings and answers never carry it.
 */

const PARTITION = 'subscription';

interface SubscriptionEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  destination: string;
  filters: string;
  /** JSON of the digest settings; empty: no digest. */
  digest?: string;
  secret: string;
  createdAt: string;
}

const table = (storage: StorageClients) => storage.table(storage.names.tables.subscriptions);

function subscriptionOf(entity: SubscriptionEntity): Subscription {
  const input = subscriptionInputSchema.parse({
    name: entity.name,
    destination: JSON.parse(entity.destination) as unknown,
    filters: JSON.parse(entity.filters) as unknown,
    digest: entity.digest ? (JSON.parse(entity.digest) as unknown) : undefined,
  });
  return { id: entity.rowKey, createdAt: entity.createdAt, ...input };
}

/** Creates a subscription; a webhook gets a new secret, returned here and never again. */
export async function createSubscription(
  storage: StorageClients,
  input: SubscriptionInput,
): Promise<{ subscription: Subscription; secret: string | null }> {
  await ensureStorage(storage);
  const secret = input.destination.kind === 'webhook' ? newWebhookSecret() : null;
  const subscription: Subscription = { id: randomUUID(), createdAt: nowInstant(), ...input };
  await table(storage).createEntity<SubscriptionEntity>({
    partitionKey: PARTITION,
    rowKey: subscription.id,
    name: input.name,
    destination: JSON.stringify(input.destination),
    filters: JSON.stringify(input.filters),
    digest: input.digest ? JSON.stringify(input.digest) : '',
    secret: secret ?? '',
    createdAt: subscription.createdAt,
  });
  return { subscription, secret };
}

/** Replaces name, destination and filters; the secret stays (a new URL of the same receiver keeps verifying). */
export async function replaceSubscription(
  storage: StorageClients,
  id: string,
  input: SubscriptionInput,
): Promise<{ subscription: Subscription; secret: string | null } | null> {
  const existing = await ifFound(table(storage).getEntity<SubscriptionEntity>(PARTITION, id));
  if (!existing) return null;
  // A subscription that becomes a webhook needs a secret; one that was a webhook keeps its own.
  const secret = input.destination.kind === 'webhook' && !existing.secret ? newWebhookSecret() : null;
  await table(storage).updateEntity<SubscriptionEntity>(
    {
      ...existing,
      name: input.name,
      destination: JSON.stringify(input.destination),
      filters: JSON.stringify(input.filters),
      digest: input.digest ? JSON.stringify(input.digest) : '',
      secret: secret ?? existing.secret,
    },
    'Replace',
    { etag: existing.etag },
  );
  return { subscription: { id, createdAt: existing.createdAt, ...input }, secret };
}

export async function getSubscription(storage: StorageClients, id: string): Promise<Subscription | null> {
  const entity = await ifFound(table(storage).getEntity<SubscriptionEntity>(PARTITION, id));
  return entity && subscriptionOf(entity);
}

/** The signing secret of a webhook subscription (delivery only). */
export async function webhookSecret(storage: StorageClients, id: string): Promise<string | null> {
  const entity = await ifFound(
    table(storage).getEntity<SubscriptionEntity>(PARTITION, id, { queryOptions: { select: ['secret'] } }),
  );
  return entity?.secret || null;
}

export async function listSubscriptions(storage: StorageClients): Promise<Subscription[]> {
  await ensureStorage(storage);
  const result: Subscription[] = [];
  const entities = table(storage).listEntities<SubscriptionEntity>({
    queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
  });
  for await (const entity of entities) result.push(subscriptionOf(entity));
  return result.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** True when it existed. Events already in the outbox for it are cancelled when they come up for delivery. */
export async function deleteSubscription(storage: StorageClients, id: string): Promise<boolean> {
  return (await ifFound(table(storage).deleteEntity(PARTITION, id))) !== null;
}
