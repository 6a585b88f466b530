import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit, type LogLevel } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import { matchRoute } from '../shared/api/route';
import type { Settings } from '../shared/config/settings';
import type { StorageClients } from '../shared/storage/clients';
import { registeredFunctions, type BlobRegistration, type HttpRegistration, type TimerRegistration } from './registry';

/**
 * Runs the registered functions without the Functions host: HTTP functions at /api/{route},
 * timers on their (UTC) schedule and on demand through the host's own admin API
 * (`POST /admin/functions/{name}`), upload handlers for blobs dropped into their containers.
 * Everything it knows about functions comes from the registry.
 */

const MAX_BODY_BYTES = 50 * 1024 * 1024;
const BLOB_POLL_MS = 2000;
/** Attempts before a blob that keeps failing is left alone (its handler quarantines it; this stops a hot loop). */
const BLOB_MAX_ATTEMPTS = 3;

export interface RunnerOptions {
  port: number;
  host?: string;
  settings: Settings;
  storage: StorageClients;
  /** Directory of the function modules (the same files `package.json` `main` names). */
  functionsDir: string;
  /** When set, functions with authLevel `function` require it (x-functions-key header or code query). */
  functionKey?: string;
  log?: (line: string) => void;
  pollBlobs?: boolean;
  runTimers?: boolean;
}

export interface Runner {
  url: string;
  close(): Promise<void>;
  /** Runs a timer or upload function now, as the admin endpoint does. */
  invoke(name: string, input?: unknown): Promise<void>;
}

export function loadFunctionModules(functionsDir: string): void {
  for (const file of fs.readdirSync(functionsDir).sort()) {
    if (/\.(js|ts)$/.test(file) && !file.endsWith('.d.ts') && !file.endsWith('.map'))
      // Synchronous on purpose: registrations must exist before the runner serves (as when the host loads `main`).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(functionsDir, file));
  }
}

function contextFor(name: string, log: (line: string) => void): InvocationContext {
  const invocationId = randomUUID();
  return new InvocationContext({
    functionName: name,
    invocationId,
    logHandler: (level: LogLevel, ...args: unknown[]) => log(`[${name}] ${level}: ${args.map(String).join(' ')}`),
  });
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startLocalRunner(options: RunnerOptions): Promise<Runner> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  loadFunctionModules(options.functionsDir);
  const all = registeredFunctions();
  const https = all.filter((r): r is HttpRegistration => r.kind === 'http');
  const timers = all.filter((r): r is TimerRegistration => r.kind === 'timer');
  const blobs = all.filter((r): r is BlobRegistration => r.kind === 'blob');

  const invoke = async (name: string, input?: unknown) => {
    const fn = all.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!fn || fn.kind === 'http') throw new Error(`no timer or upload function named ${name}`);
    const context = contextFor(fn.name, log);
    if (fn.kind === 'timer') {
      await fn.options.handler(
        { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: {} as never },
        context,
      );
    } else {
      const blobName = (input as { name?: unknown } | undefined)?.name;
      if (typeof blobName !== 'string') throw new Error(`${fn.name} needs {"input":"<blob name>"}`);
      await fn.process(blobName, context);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`runner error: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: 'internal error' } }));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

    const admin = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
    if (admin && method === 'POST') {
      const body = await readBody(req);
      const text = body === 'too-large' ? '' : body.toString('utf8');
      const input = text ? (JSON.parse(text) as { input?: string }).input : undefined;
      invoke(admin[1], input === undefined ? undefined : { name: input }).catch((e: unknown) =>
        log(`[${admin[1]}] failed: ${(e as Error).message}`),
      );
      return send(202, { accepted: admin[1] });
    }

    if (!url.pathname.startsWith('/api/')) return send(404, { error: { code: 'NotFound', message: 'not found' } });
    const pathname = url.pathname.slice('/api/'.length).replace(/\/$/, '');
    let methodMismatch = false;
    for (const fn of https) {
      const params = matchRoute(fn.options.route, pathname);
      if (!params) continue;
      if (!fn.options.methods.includes(method as never)) {
        methodMismatch = true;
        continue;
      }
      if (fn.options.authLevel !== 'anonymous' && options.functionKey) {
        const key = req.headers['x-functions-key'] ?? url.searchParams.get('code');
        if (key !== options.functionKey)
          return send(401, {
            error: {
              code: 'Unauthorized',
              message: 'a function key is required (x-functions-key header or code query parameter)',
            },
          });
      }
      const body = await readBody(req);
      if (body === 'too-large')
        return send(413, { error: { code: 'PayloadTooLarge', message: `body over ${MAX_BODY_BYTES} bytes` } });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams),
        params,
        body: body.length > 0 ? { bytes: body } : undefined,
      });
      const started = Date.now();
      const result = (await fn.options.handler(request, contextFor(fn.name, log))) as
        HttpResponseInit | HttpResponse | undefined;
      const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
      const payload = Buffer.from(await response.arrayBuffer());
      const outHeaders: Record<string, string> = {};
      response.headers.forEach((v, k) => (outHeaders[k] = v));
      res.writeHead(response.status, outHeaders);
      res.end(payload);
      log(`${method} ${url.pathname} → ${response.status} (${Date.now() - started} ms)`);
      return;
    }
    return send(methodMismatch ? 405 : 404, {
      error: {
        code: methodMismatch ? 'MethodNotAllowed' : 'NotFound',
        message: methodMismatch ? 'method not allowed' : 'not found',
      },
    });
  }

  const stops: (() => void)[] = [];
  if (options.runTimers !== false)
    for (const timer of timers) stops.push(scheduleTimer(timer, options.settings, invoke, log));
  if (options.pollBlobs !== false) stops.push(pollUploads(blobs, options.storage, log));

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    invoke,
    close: async () => {
      for (const stop of stops) stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `%SETTING%` in a schedule is an app-setting reference, resolved as the Functions host does. */
export function resolveSchedule(timer: TimerRegistration, settings: Settings): string {
  const value = (settings as Record<string, unknown>)[timer.scheduleSetting];
  if (typeof value !== 'string') throw new Error(`${timer.name}: setting ${timer.scheduleSetting} holds no schedule`);
  return value;
}

function scheduleTimer(
  timer: TimerRegistration,
  settings: Settings,
  invoke: Runner['invoke'],
  log: (l: string) => void,
): () => void {
  const expression = CronExpressionParser.parse(resolveSchedule(timer, settings), { tz: 'UTC' });
  let handle: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    const at = expression.next().getTime();
    // setTimeout cannot wait longer than ~24.8 days; re-arm in steps.
    handle = setTimeout(() => (Date.now() >= at ? fire() : next()), Math.min(at - Date.now(), 2 ** 31 - 1));
    handle.unref();
    log(`[${timer.name}] next run ${new Date(at).toISOString()}`);
  };
  const fire = () => {
    invoke(timer.name)
      .catch((e: unknown) => log(`[${timer.name}] failed: ${(e as Error).message}`))
      .finally(next);
  };
  next();
  return () => {
    stopped = true;
    if (handle) clearTimeout(handle);
  };
}

function pollUploads(
  blobs: readonly BlobRegistration[],
  storage: StorageClients,
  log: (l: string) => void,
): () => void {
  const inFlight = new Set<string>();
  const attempts = new Map<string, number>();
  let stopped = false;
  const tick = async () => {
    for (const fn of blobs) {
      const container = storage.names.containers[fn.container];
      const client = storage.blobs.getContainerClient(container);
      if (!(await client.exists())) continue;
      for await (const blob of client.listBlobsFlat()) {
        const key = `${fn.name}/${blob.name}/${blob.properties.etag}`;
        if (inFlight.has(key) || (attempts.get(key) ?? 0) >= BLOB_MAX_ATTEMPTS) continue;
        inFlight.add(key);
        attempts.set(key, (attempts.get(key) ?? 0) + 1);
        fn.process(blob.name, contextFor(fn.name, log))
          .then(() => attempts.set(key, BLOB_MAX_ATTEMPTS))
          .catch((e: unknown) =>
            log(`[${fn.name}] ${blob.name} failed (attempt ${attempts.get(key)}): ${(e as Error).message}`),
          )
          .finally(() => inFlight.delete(key));
      }
    }
  };
  let handle: NodeJS.Timeout;
  const loop = () => {
    if (stopped) return;
    tick()
      .catch((e: unknown) => log(`upload polling: ${(e as Error).message}`))
      .finally(() => {
        if (!stopped) handle = setTimeout(loop, BLOB_POLL_MS);
      });
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(handle);
  };
}
