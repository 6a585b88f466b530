import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { DEV_ACCOUNT, emulatorConnectionString } from '../shared/storage/clients';

/** The embedded storage: Azurite, started by the project itself (npm start, the CLI, the test suite). */

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

const DEFAULT_PORTS: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };
const HOST = '127.0.0.1';
/** How long a probe waits for an answer: a local emulator that is up answers in milliseconds. */
const PROBE_TIMEOUT_MS = 1500;
/** How long Azurite may take to answer after it is started. */
const START_TIMEOUT_MS = 30_000;
/** Pause between probes while Azurite starts. */
const START_POLL_MS = 150;
/** How long Azurite has to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5000;

export interface RunningAzurite {
  connectionString: string;
  /** Service endpoints (`http://`, or `https://` when started with a certificate), account path included. */
  endpoints?: { blob: string; queue: string; table: string };
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
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** True when an Azurite blob endpoint answers on these ports (a real request, not just an open port). */
async function azuriteAnswers(ports: AzuritePorts): Promise<boolean> {
  const client = BlobServiceClient.fromConnectionString(emulatorConnectionString(HOST, ports), {
    retryOptions: { maxTries: 1, tryTimeoutInMs: PROBE_TIMEOUT_MS },
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
  /** Serve HTTPS with this certificate and key (PEM files); needed for OAuth. */
  tls?: { cert: string; key: string };
  /**
   * Accept Entra ID bearer tokens (`basic`: issuer, audience and lifetime are checked, not the
   * signature). Requires `tls`.
   */
  oauth?: 'basic';
}

function endpointsOf(ports: AzuritePorts, protocol: 'http' | 'https') {
  const url = (port: number) => `${protocol}://${HOST}:${port}/${DEV_ACCOUNT}`;
  return { blob: url(ports.blob), queue: url(ports.queue), table: url(ports.table) };
}

/** True when every service answers HTTPS with the given certificate (any HTTP status counts: it is up). */
async function tlsAzuriteAnswers(ports: AzuritePorts, ca: Buffer): Promise<boolean> {
  const answers = (port: number) =>
    new Promise<boolean>((resolve) => {
      const req = https.request(
        { host: HOST, port, path: `/${DEV_ACCOUNT}`, method: 'GET', ca, timeout: PROBE_TIMEOUT_MS },
        (res) => {
          res.resume();
          resolve(true);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  const all = await Promise.all([ports.blob, ports.queue, ports.table].map(answers));
  return all.every(Boolean);
}

export async function startAzurite(options: StartOptions): Promise<RunningAzurite> {
  const { ports } = options;
  if (options.oauth && !options.tls) throw new Error('Azurite OAuth needs HTTPS: pass tls { cert, key }');
  const ca = options.tls ? fs.readFileSync(options.tls.cert) : undefined;
  if (options.location) fs.mkdirSync(options.location, { recursive: true });
  const child = spawn(process.execPath, azuriteArgs(options), {
    stdio: options.detached ? 'ignore' : ['ignore', 'ignore', 'pipe'],
    detached: Boolean(options.detached),
  });
  if (options.detached) child.unref();
  await waitUntilAnswering(child, ports, () => (ca ? tlsAzuriteAnswers(ports, ca) : azuriteAnswers(ports)));
  if (options.location) fs.writeFileSync(path.join(options.location, 'azurite.pid'), String(child.pid));
  const protocol = options.tls ? 'https' : 'http';
  return {
    connectionString: emulatorConnectionString(HOST, ports, protocol),
    endpoints: endpointsOf(ports, protocol),
    ports,
    process: child,
    stop: () => stopChild(child),
  };
}

function azuriteArgs(options: StartOptions): string[] {
  const { ports } = options;
  const args = [
    azuriteBin(),
    '--disableTelemetry',
    '--silent',
    '--skipApiVersionCheck',
    '--blobHost',
    HOST,
    '--queueHost',
    HOST,
    '--tableHost',
    HOST,
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.tls) args.push('--cert', options.tls.cert, '--key', options.tls.key);
  if (options.oauth) args.push('--oauth', options.oauth);
  if (options.location) args.push('--location', options.location);
  else args.push('--inMemoryPersistence');
  return args;
}

/** Polls until Azurite answers; fails when the process exits or does not answer in time (then stops it). */
async function waitUntilAnswering(
  child: ChildProcess,
  ports: AzuritePorts,
  ready: () => Promise<boolean>,
): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready())) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill();
      const portList = `${ports.blob}/${ports.queue}/${ports.table}`;
      throw new Error(`Azurite did not answer on ports ${portList} within ${START_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
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
    return {
      connectionString: emulatorConnectionString(HOST, ports),
      endpoints: endpointsOf(ports, 'http'),
      ports,
      process: null,
      stop: async () => {},
    };
  }
  return startAzurite({ ports, location: path.join(projectRoot, '.azurite'), detached: opts.detached });
}
