import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { ifFound, isNotFound } from '../storage/errors';
import { ruleBodySchema, ruleJson, ruleOf, type PriceRule } from './rule';

/**
 * Price rules in Table Storage: one entity per rule in one partition (a partner keeps tens to
 * thousands of rules, so a quote or an export reads them all with one query), the rule as JSON.
 * A rule is effective-dated by its own validFrom/validTo: a change from a date on is a new rule whose
 * validFrom is that date (and the old one's validTo), so past quotes stay reproducible.
 */

const PARTITION = 'rule';

interface RuleEntity {
  partitionKey: string;
  rowKey: string;
  json: string;
}

/** A stored rule read back through the same schema that validated it. */
function fromEntity(entity: RuleEntity): PriceRule {
  const { id: _id, ...body } = JSON.parse(entity.json) as Record<string, unknown>;
  return ruleOf(entity.rowKey, ruleBodySchema.parse(body));
}

export async function putRule(storage: StorageClients, rule: PriceRule): Promise<void> {
  await ensureStorage(storage);
  const entity: RuleEntity = { partitionKey: PARTITION, rowKey: rule.id, json: JSON.stringify(ruleJson(rule)) };
  await storage.table(storage.names.tables.priceRules).upsertEntity(entity, 'Replace');
}

export async function getRule(storage: StorageClients, id: string): Promise<PriceRule | null> {
  await ensureStorage(storage);
  const entity = await ifFound(storage.table(storage.names.tables.priceRules).getEntity<RuleEntity>(PARTITION, id));
  return entity ? fromEntity(entity) : null;
}

/** Deletes a rule; false when there was none. */
export async function deleteRule(storage: StorageClients, id: string): Promise<boolean> {
  await ensureStorage(storage);
  try {
    await storage.table(storage.names.tables.priceRules).deleteEntity(PARTITION, id);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Every rule, in id order. */
export async function listRules(storage: StorageClients): Promise<PriceRule[]> {
  await ensureStorage(storage);
  const rules: PriceRule[] = [];
  const entities = storage.table(storage.names.tables.priceRules).listEntities<RuleEntity>({
    queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
  });
  for await (const entity of entities) rules.push(fromEntity(entity));
  return rules;
}
