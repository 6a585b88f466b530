import path from 'node:path';
import { startLocalRunner } from '../../runtime/localRunner';
import { loadSettings } from '../../shared/config/settings';
import { createStorageClients } from '../../shared/storage/clients';

/**
 * A queue worker in a process of its own (the local runner consuming the queues, nothing else), for the
 * test that kills it mid-message (queueRunner.killed.test.ts). Settings come from the environment, as
 * under the Functions host; `argv[2]` is the lease in seconds. Log lines go to stdout.
 */
const leaseSeconds = Number(process.argv[2]);
const settings = loadSettings(process.env);
void startLocalRunner({
  port: 0,
  settings,
  storage: createStorageClients(settings),
  functionsDir: path.join(__dirname, '..', '..', 'functions'),
  runTimers: false,
  pollBlobs: false,
  queueOptions: { leaseSeconds, maxPollingIntervalMs: 200 },
  log: (line) => process.stdout.write(`${line}\n`),
}).then(() => process.stdout.write('worker ready\n'));
