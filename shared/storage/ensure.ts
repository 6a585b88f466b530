import { statusOf } from './errors';
import type { StorageClients } from './clients';
import { processedContainer, quarantineContainer } from './names';
import { ensureQueues } from './queues';

const ready = new WeakMap<StorageClients, Promise<void>>();

function ignoreConflict(e: unknown): void {
  // 409: already exists (possibly created a moment ago by another process).
  if (statusOf(e) !== 409) throw e;
}

/** Creates every table, container and queue once per process (idempotent; cheap on later calls). */
export function ensureStorage(storage: StorageClients): Promise<void> {
  let p = ready.get(storage);
  if (!p) {
    const { tables, containers } = storage.names;
    const containerNames = [
      ...Object.values(containers),
      processedContainer(containers.priceUploads),
      quarantineContainer(containers.priceUploads),
      processedContainer(containers.customerUploads),
      quarantineContainer(containers.customerUploads),
    ];
    p = Promise.all([
      ...Object.values(tables).map((t) => storage.tableService.createTable(t).catch(ignoreConflict)),
      ...containerNames.map((c) =>
        storage.blobs
          .getContainerClient(c)
          .createIfNotExists()
          .then(() => undefined),
      ),
      ensureQueues(storage),
    ]).then(() => undefined);
    p.catch(() => ready.delete(storage));
    ready.set(storage, p);
  }
  return p;
}
