import type { StorageNames } from '../../shared/storage/names';
import { formatTable, type Column } from '../table';
import type { StatusSection } from './section';

/**
 * Queued work: the approximate number of messages waiting on each of the app's queues and on its
 * poison queue (the storage service's count, which includes messages being worked on). A message
 * on a poison queue failed every delivery: a problem for the operator (docs/operations.md: Queues).
 */

interface Row {
  queue: keyof StorageNames['queues'];
  name: string;
  waiting: number;
  poisoned: number;
}

const COLUMNS: Column<Row>[] = [
  { title: 'QUEUE', value: (row) => row.name },
  { title: 'WAITING', value: (row) => String(row.waiting), right: true },
  { title: 'POISONED', value: (row) => String(row.poisoned), right: true },
];

export const queuesSection: StatusSection = {
  name: 'queues',
  async read({ storage }) {
    const { queueClient } = await import('../../shared/storage/queues');
    // A queue that does not exist yet (nothing was ever queued) holds nothing.
    const count = (queue: Row['queue'], poison: boolean) =>
      queueClient(storage, queue, poison)
        .getProperties()
        .then(
          (properties) => properties.approximateMessagesCount ?? 0,
          (e: { statusCode?: number }) => {
            if (e.statusCode === 404) return 0;
            throw e;
          },
        );
    const queues = Object.keys(storage.names.queues) as Row['queue'][];
    const rows = await Promise.all(
      queues.map(async (queue): Promise<Row> => ({
        queue,
        name: storage.names.queues[queue],
        waiting: await count(queue, false),
        poisoned: await count(queue, true),
      })),
    );
    return {
      data: rows,
      lines: ['Queued work (approximate message counts)', ...formatTable(COLUMNS, rows)],
      problems: rows
        .filter((row) => row.poisoned > 0)
        .map((row) => `${row.name}-poison: ${row.poisoned} message(s) failed every delivery`),
    };
  },
};
