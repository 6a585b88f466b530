import fs from 'node:fs';
import path from 'node:path';
import type { StorageNames } from '../../shared/storage/names';
import { ROOT } from './bicep';

export interface QueueFunction {
  name: string;
  queue: keyof StorageNames['queues'];
  poison: boolean;
  /** Upload functions: the container whose BlobCreated events reach the queue. */
  uploads?: keyof StorageNames['containers'];
}

export interface Registered {
  queueFunctions: QueueFunction[];
  timers: { name: string; scheduleSetting: string }[];
  /** How they were found, for messages. */
  source: string;
}

function functionFiles(dir = path.join(ROOT, 'functions')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return functionFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

let cached: Registered | undefined;

/**
 * The queue and timer functions, as runtime/registry records them when every file under
 * functions/ is loaded (the way the host loads dist/functions/*.js: registering loads no implementation).
 */
export function registeredQueueAndTimerFunctions(): Registered {
  if (cached) return cached;
  const files = functionFiles();
  let result: Registered | undefined;
  jest.isolateModules(() => {
    const warn = console.warn;
    console.warn = () => {}; // @azure/functions' "test mode" notice
    try {
      for (const file of files) require(file);
    } finally {
      console.warn = warn;
    }
    const { registeredFunctions } = require('../../runtime/registry') as typeof import('../../runtime/registry');
    const all = registeredFunctions();
    result = {
      queueFunctions: all.flatMap((r) =>
        r.kind === 'queue' ? [{ name: r.name, queue: r.queue, poison: r.poison, uploads: r.uploads }] : [],
      ),
      timers: all.flatMap((r) => (r.kind === 'timer' ? [{ name: r.name, scheduleSetting: r.scheduleSetting }] : [])),
      source: `registry after loading ${files.length} function file(s)`,
    };
  });
  cached = result!;
  return cached;
}
