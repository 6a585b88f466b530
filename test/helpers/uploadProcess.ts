import { loadSettings } from '../../shared/config/settings';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { createStorageClients } from '../../shared/storage/clients';
import { handleUpload } from '../../shared/uploads/placement';
import { refusedReport } from './uploads';

/**
 * A customer upload handled in a process of its own by a handler that exhausts the heap, as a hostile
 * file did before the readers were bounded: the process dies of it (see placement.test.ts).
 */
const [connection, prefix, name] = process.argv.slice(2);
const settings = loadSettings({ AzureWebJobsStorage: connection, STORAGE_NAME_PREFIX: prefix });
void handleUpload(createStorageClients(settings), settings, 'customerUploads', name, createLogger(memorySink()), {
  what: 'test upload',
  eventName: 'TestUploadHandled',
  eventProps: () => ({}),
  handle: () => {
    const hog: number[][] = [];
    for (;;) hog.push(new Array<number>(1_000_000).fill(hog.length));
  },
  refused: refusedReport,
});
