import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit, type LogLevel } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import { matchRoute } from '../shared/api/route';
import type { Settings } from '../shared/config/settings';
import type { StorageClients } from '../shared/storage/clients';
import {
  registeredFunctions,
  type BlobRegistration,
  type HttpRegistration,
  type Registration,
  type TimerRegistration,
} from './registry';

/**
 * Runs the registered functions without the Functions host: HTTP functions at /api/{route},
 * timers on their (UTC) schedule and on demand through the host's own admin API
 * (`POST /admin/functions/{name}`), upload handlers for blobs dropped into their containers.
 * Everything it knows about functions comes from the registry.
 */

const MAX_BODY_BYTES = 50 * 1024 * 1024;
const BLOB_POLL_MS = 2000;
/** The longest delay setTimeout takes (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
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
}

/** Runs a timer or upload function by name; an upload function takes `{ name: <blob name> }`. */
type Invoke = (name: string, input?: unknown) => Promise<void>;

function loadFunctionModules(functionsDir: string): void {
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
  const timers = all.filter((fn): fn is TimerRegistration => fn.kind === 'timer');
  const blobs = all.filter((fn): fn is BlobRegistration => fn.kind === 'blob');
  const invoke = createInvoker(all, log);
  const served: Served = {
    https: all.filter((fn): fn is HttpRegistration => fn.kind === 'http'),
    invoke,
    functionKey: options.functionKey,
    log,
  };
  const server = http.createServer((req, res) => {
    handleRequest(req, res, served).catch((e: unknown) => {
      log(`runner error: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: 'internal error' } }));
    });
  });

  const stops: (() => void)[] = [];
  if (options.runTimers !== false)
    for (const timer of timers) stops.push(scheduleTimer(timer, options.settings, invoke, log));
  if (options.pollBlobs !== false) stops.push(pollUploads(blobs, options.storage, log));

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    close: async () => {
      for (const stop of stops) stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs a timer or upload function by name, as the admin endpoint does. */
function createInvoker(all: readonly Registration[], log: (line: string) => void): Invoke {
  return async (name, input) => {
    const fn = all.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
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
}

/** What the server serves: the HTTP functions, the admin endpoint's invoker, the function key. */
interface Served {
  https: readonly HttpRegistration[];
  invoke: Invoke;
  functionKey?: string;
  log: (line: string) => void;
}

/** The admin endpoint, or the HTTP function whose route matches (behind its key, when it needs one). */
async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse, served: Served): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const method = (req.method ?? 'GET').toUpperCase();
  const admin = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
  if (admin && method === 'POST') return acceptInvocation(req, res, admin[1], served);

  if (!url.pathname.startsWith('/api/'))
    return sendJson(res, 404, { error: { code: 'NotFound', message: 'not found' } });
  const route = findRoute(served.https, url.pathname.slice('/api/'.length).replace(/\/$/, ''), method);
  if ('methodMismatch' in route) {
    return sendJson(res, route.methodMismatch ? 405 : 404, {
      error: {
        code: route.methodMismatch ? 'MethodNotAllowed' : 'NotFound',
        message: route.methodMismatch ? 'method not allowed' : 'not found',
      },
    });
  }
  if (route.fn.options.authLevel !== 'anonymous' && served.functionKey) {
    const key = req.headers['x-functions-key'] ?? url.searchParams.get('code');
    if (key !== served.functionKey)
      return sendJson(res, 401, {
        error: {
          code: 'Unauthorized',
          message: 'a function key is required (x-functions-key header or code query parameter)',
        },
      });
  }
  return callHttpFunction(route.fn, route.params, { req, res, url, method }, served.log);
}

/** `POST /admin/functions/{name}`: starts a timer or upload function and answers 202 at once, as the host does. */
async function acceptInvocation(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  name: string,
  served: Served,
): Promise<void> {
  const body = await readBody(req);
  const text = body === 'too-large' ? '' : body.toString('utf8');
  const input = text ? (JSON.parse(text) as { input?: string }).input : undefined;
  served
    .invoke(name, input === undefined ? undefined : { name: input })
    .catch((e: unknown) => served.log(`[${name}] failed: ${(e as Error).message}`));
  sendJson(res, 202, { accepted: name });
}

/** The first function whose route matches the path and takes the method; or whether some route matched the path. */
function findRoute(
  functions: readonly HttpRegistration[],
  pathname: string,
  method: string,
): { fn: HttpRegistration; params: Record<string, string> } | { methodMismatch: boolean } {
  let methodMismatch = false;
  for (const fn of functions) {
    const params = matchRoute(fn.options.route, pathname);
    if (!params) continue;
    if (fn.options.methods.includes(method as never)) return { fn, params };
    methodMismatch = true;
  }
  return { methodMismatch };
}

/** Calls an HTTP function as the host would and writes its response. */
async function callHttpFunction(
  fn: HttpRegistration,
  params: Record<string, string>,
  { req, res, url, method }: { req: http.IncomingMessage; res: http.ServerResponse; url: URL; method: string },
  log: (line: string) => void,
): Promise<void> {
  const body = await readBody(req);
  if (body === 'too-large')
    return sendJson(res, 413, { error: { code: 'PayloadTooLarge', message: `body over ${MAX_BODY_BYTES} bytes` } });
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[header] = value;
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
  response.headers.forEach((value, header) => (outHeaders[header] = value));
  res.writeHead(response.status, outHeaders);
  res.end(payload);
  log(`${method} ${url.pathname} → ${response.status} (${Date.now() - started} ms)`);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Listens on the port (0: any free one) and returns the port listened on. */
async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** `%SETTING%` in a schedule is an app-setting reference, resolved as the Functions host does. */
function resolveSchedule(timer: TimerRegistration, settings: Settings): string {
  const value = (settings as Record<string, unknown>)[timer.scheduleSetting];
  if (typeof value !== 'string') throw new Error(`${timer.name}: setting ${timer.scheduleSetting} holds no schedule`);
  return value;
}

function scheduleTimer(
  timer: TimerRegistration,
  settings: Settings,
  invoke: Invoke,
  log: (line: string) => void,
): () => void {
  const expression = CronExpressionParser.parse(resolveSchedule(timer, settings), { tz: 'UTC' });
  let handle: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    const at = expression.next().getTime();
    // A run further off than setTimeout can wait is reached in steps.
    handle = setTimeout(() => (Date.now() >= at ? fire() : next()), Math.min(at - Date.now(), MAX_TIMEOUT_MS));
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
  log: (line: string) => void,
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
