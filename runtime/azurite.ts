import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { emulatorConnectionString } from '../shared/storage/clients';

/** The embedded storage: Azurite, started by the project itself (npm start, the CLI, the test suite). */

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export const DEFAULT_PORTS: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };
const HOST = '127.0.0.1';

export interface RunningAzurite {
  connectionString: string;
  ports: AzuritePorts;
  /** Null when another process had already started it. */
  process: ChildProcess | null;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when an Azurite blob endpoint answers on these ports (a real request, not just an open port). */
export async function azuriteAnswers(ports: AzuritePorts): Promise<boolean> {
  const client = BlobServiceClient.fromConnectionString(emulatorConnectionString(HOST, ports), {
    retryOptions: { maxTries: 1, tryTimeoutInMs: 1500 },
  });
  try {
    await client.getProperties();
    return true;
  } catch {
    return false;
  }
}

function azuriteBin(): string {
  return require.resolve('azurite/dist/src/azurite.js');
}

export interface StartOptions {
  ports: AzuritePorts;
  /** Keep data in this folder; in memory when absent (tests). */
  location?: string;
  /** Keep running after this process exits (the CLI leaves it for the app and later commands). */
  detached?: boolean;
}

export async function startAzurite(options: StartOptions): Promise<RunningAzurite> {
  const { ports } = options;
  const args = [
    azuriteBin(),
    '--disableTelemetry',
    '--silent',
    '--skipApiVersionCheck',
    '--blobHost', HOST, '--queueHost', HOST, '--tableHost', HOST,
    '--blobPort', String(ports.blob), '--queuePort', String(ports.queue), '--tablePort', String(ports.table),
  ];
  if (options.location) {
    fs.mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  const child = spawn(process.execPath, args, {
    stdio: options.detached ? 'ignore' : ['ignore', 'ignore', 'pipe'],
    detached: Boolean(options.detached),
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (options.detached) child.unref();
  const deadline = Date.now() + 30000;
  while (!(await azuriteAnswers(ports))) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Azurite did not answer on ports ${ports.blob}/${ports.queue}/${ports.table} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  if (options.location) fs.writeFileSync(path.join(options.location, 'azurite.pid'), String(child.pid));
  return {
    connectionString: emulatorConnectionString(HOST, ports),
    ports,
    process: child,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The embedded default shared by `npm start` and the CLI: whichever starts first starts Azurite
 * (data under `.azurite/`), the other finds it answering on the default ports and uses it.
 */
export async function ensureEmbeddedAzurite(projectRoot: string, opts: { detached: boolean }): Promise<RunningAzurite> {
  const ports = DEFAULT_PORTS;
  if (await azuriteAnswers(ports)) {
    return { connectionString: emulatorConnectionString(HOST, ports), ports, process: null, stop: async () => {} };
  }
  return startAzurite({ ports, location: path.join(projectRoot, '.azurite'), detached: opts.detached });
}
