import path from 'node:path';
import { startLocalRunner } from '../runtime/localRunner';
import { loadSettings } from '../shared/config/settings';
import { createStorageClients } from '../shared/storage/clients';

/**
 * One queue worker of the fan-out benchmark, in a process of its own: the local runner consuming the
 * queues (host.json's settings, overridden through the environment as the host's are), nothing else.
 * Settings come from the environment. Prints `ready` once it polls.
 */
const settings = loadSettings(process.env);
void startLocalRunner({
  port: 0,
  settings,
  storage: createStorageClients(settings),
  functionsDir: path.join(__dirname, '..', 'functions'),
  runTimers: false,
  pollBlobs: false,
  log: () => {},
}).then(() => process.stdout.write('ready\n'));
