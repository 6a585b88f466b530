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
 * functions/ is loaded (the way the host loads dist/functions/*.js). If a file cannot be loaded outside the
 * host, the registrations are read from the source instead (`queueFunction('name', 'queueKey', handler, { poison, uploads })`,
 * `timerFunction('name', 'SETTING', …)`).
 */
export function registeredQueueAndTimerFunctions(): Registered {
  if (cached) return cached;
  const files = functionFiles();
  try {
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
  } catch (error) {
    const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    cached = {
      queueFunctions: [
        ...text.matchAll(/queueFunction\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*,\s*\w+\s*(?:,\s*\{([^}]*)\})?\s*\)/g),
      ].map((m) => ({
        name: m[1],
        queue: m[2] as keyof StorageNames['queues'],
        poison: /poison:\s*true/.test(m[3] ?? ''),
        uploads: /uploads:\s*['"](\w+)['"]/.exec(m[3] ?? '')?.[1] as keyof StorageNames['containers'] | undefined,
      })),
      timers: [...text.matchAll(/timerFunction\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]/g)].map((m) => ({
        name: m[1],
        scheduleSetting: m[2],
      })),
      source: `source of ${files.length} function file(s) (loading failed: ${(error as Error).message.split('\n')[0]})`,
    };
  }
  return cached;
}
