import type { TableClient } from '@azure/data-tables';
import { odata } from './sdk';
import { statusOf } from './errors';

/**
 * A set of short strings packed into the entities of one partition (row keys `0000`, `0001`, …,
 * each holding up to PROPERTIES_PER_ENTITY properties `p0…` of newline-separated items), so a set of
 * thousands of items is one query to read and a few entities to write. Sets only grow: a merge reads
 * the stored set, adds, and writes back with ETags, so concurrent writers never lose each other's
 * items. Items must not contain a newline.
 */

// A string property holds at most 64 KiB (32K UTF-16 characters); an entity at most 1 MiB.
const PROPERTY_CHARS = 30_000;
const PROPERTIES_PER_ENTITY = 14;
const MAX_ATTEMPTS = 5;

const rowKeyOf = (chunk: number) => String(chunk).padStart(4, '0');

interface StoredSet {
  items: string[];
  etags: Map<string, string>;
}

async function readStored(table: TableClient, partitionKey: string): Promise<StoredSet> {
  const items: string[] = [];
  const etags = new Map<string, string>();
  const filter = odata`PartitionKey eq ${partitionKey}`;
  for await (const entity of table.listEntities({ queryOptions: { filter } })) {
    etags.set(entity.rowKey as string, entity.etag);
    for (let i = 0; typeof entity[`p${i}`] === 'string'; i++) {
      for (const line of (entity[`p${i}`] as string).split('\n')) if (line) items.push(line);
    }
  }
  return { items, etags };
}

/** The items of a packed set (empty when there is none): one query of its partition. */
export async function readPackedSet(table: TableClient, partitionKey: string): Promise<string[]> {
  return (await readStored(table, partitionKey)).items;
}

type PackedEntity = { partitionKey: string; rowKey: string } & Record<string, string>;

/** Sorted items → entities of up to PROPERTIES_PER_ENTITY properties of up to PROPERTY_CHARS each. */
function packEntities(partitionKey: string, items: string[]): PackedEntity[] {
  const entities: PackedEntity[] = [];
  let entity: PackedEntity = { partitionKey, rowKey: rowKeyOf(0) };
  let property = 0;
  let text = '';
  const closeProperty = () => {
    entity[`p${property++}`] = text;
    text = '';
    if (property === PROPERTIES_PER_ENTITY) {
      entities.push(entity);
      entity = { partitionKey, rowKey: rowKeyOf(entities.length) };
      property = 0;
    }
  };
  for (const item of items) {
    if (text.length + item.length + 1 > PROPERTY_CHARS) closeProperty();
    text = text ? `${text}\n${item}` : item;
  }
  if (text || property === 0) closeProperty();
  if (property > 0) entities.push(entity);
  return entities;
}

/**
 * Adds items to the set of one partition; returns the entities written (0 when nothing was new).
 * `stored` false says the partition is known to be empty: the items are written without reading.
 */
export async function mergePackedSet(
  table: TableClient,
  partitionKey: string,
  additions: ReadonlySet<string>,
  stored: boolean,
): Promise<number> {
  if (!stored) {
    const entities = packEntities(partitionKey, [...additions].sort());
    for (const entity of entities) await table.upsertEntity(entity, 'Replace');
    return entities.length;
  }
  for (let attempt = 1; ; attempt++) {
    const current = await readStored(table, partitionKey);
    const merged = new Set(current.items);
    for (const item of additions) merged.add(item);
    if (merged.size === current.items.length) return 0;
    const entities = packEntities(partitionKey, [...merged].sort());
    try {
      for (const entity of entities) {
        const etag = current.etags.get(entity.rowKey);
        if (etag) await table.updateEntity(entity, 'Replace', { etag });
        else await table.createEntity(entity);
      }
      return entities.length;
    } catch (e) {
      // 412: changed since we read it; 409: created meanwhile. Read again and merge again.
      const status = statusOf(e);
      if ((status !== 412 && status !== 409) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}
