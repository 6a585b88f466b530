import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  HttpRequest,
  HttpResponse,
  InvocationContext,
  type HttpRequestInit,
  type HttpResponseInit,
  type LogLevel,
} from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import { corsHeaders } from '../shared/api/cors';
import { problemResponse, type ApiResponse } from '../shared/api/endpoint';
import type { ProblemCode } from '../shared/api/problem';
import { matchRoute } from '../shared/api/route';
import type { Settings } from '../shared/config/settings';
import type { StorageClients } from '../shared/storage/clients';
import { MCP_PATH, mcpHandler, type McpHandler } from './mcpServer';
import {
  enqueueInput,
  hostJsonPath,
  hostQueueOptions,
  startQueueFunctions,
  watchUploads,
  type QueueOptions,
} from './queueRunner';
import {
  registeredFunctions,
  type HttpRegistration,
  type McpToolRegistration,
  type QueueRegistration,
  type TimerRegistration,
} from './registry';

/**
 * Runs the registered functions without the Functions host: HTTP functions at /api/{route},
 * MCP tools at /runtime/webhooks/mcp (runtime/mcpServer), timers on their (UTC) schedule and on
 * demand through the host's own admin API (`POST /admin/functions/{name}`), queue functions on their
 * storage queues (runtime/queueRunner), and a watcher that turns blobs dropped into the upload
 * containers into Event Grid's BlobCreated messages.
 * Everything it knows about functions comes from the registry.
 */

/** The most an HTTP function may read of a request body (its own limit is usually far lower). */
const MAX_BODY_BYTES = 50 * 1024 * 1024;
/** An admin call's body is `{"input": "<blob name or message JSON>"}` at most. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;
/** The longest delay setTimeout takes (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface RunnerOptions {
  port: number;
  host?: string;
  settings: Settings;
  storage: StorageClients;
  /** Directory of the function modules (the same files `package.json` `main` names). */
  functionsDir: string;
  /**
   * When set, functions with authLevel `function` and the admin endpoint require it (x-functions-key
   * header or code query), as the host requires a function key and its master key.
   */
  functionKey?: string;
  log?: (line: string) => void;
  /** Watch the upload containers (default true). */
  pollBlobs?: boolean;
  runTimers?: boolean;
  /** Consume the queues (default true). */
  runQueues?: boolean;
  /** Overrides of host.json's queue settings (tests: short leases, few deliveries). */
  queueOptions?: Partial<QueueOptions>;
}

export interface Runner {
  url: string;
  close(): Promise<void>;
}

/** What the admin endpoint runs: a timer, or a queue function (upload functions included). */
type Invocable = TimerRegistration | QueueRegistration;

/** Runs a timer, or puts the input on a queue function's queue. */
type Invoke = (fn: Invocable, input?: string) => Promise<void>;

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

/** A body longer than the runner or the admin endpoint takes. */
class BodyTooLarge extends Error {}

/** The whole body, or 'too-large' as soon as it passes the limit (the rest is never read). */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length']) > limit) return 'too-large';
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of bodyStream(req, limit)) chunks.push(chunk);
  } catch (e) {
    if (e instanceof BodyTooLarge) return 'too-large';
    throw e;
  }
  return Buffer.concat(chunks);
}

/**
 * The request body as the web stream a function reads (as under the host with HTTP streams), read
 * from the socket only as the function asks for it: a function that stops at its own limit leaves
 * the rest unread. Past `limit` the stream fails. Cancelling does not destroy the request, so that
 * the answer can still be written; the connection is closed after it (see callHttpFunction).
 */
function bodyStream(req: http.IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  const chunks: AsyncIterator<Buffer, undefined> = req[Symbol.asyncIterator]();
  let size = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) return controller.close();
        const value = next.value;
        size += value.length;
        if (size > limit) return controller.error(new BodyTooLarge(`body over ${limit} bytes`));
        controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.length));
      },
    },
    { highWaterMark: 0 },
  );
}

/** Equal keys, compared in constant time (digests of equal length, so the key's length is not told either). */
function sameKey(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export async function startLocalRunner(options: RunnerOptions): Promise<Runner> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  loadFunctionModules(options.functionsDir);
  const all = registeredFunctions();
  const timers = all.filter((fn): fn is TimerRegistration => fn.kind === 'timer');
  const queues = all.filter((fn): fn is QueueRegistration => fn.kind === 'queue');
  const invoke = createInvoker(options.storage, log);
  const served: Served = {
    https: all.filter((fn): fn is HttpRegistration => fn.kind === 'http'),
    invocables: all.filter((fn): fn is Invocable => fn.kind === 'timer' || fn.kind === 'queue'),
    mcp: mcpHandler(
      all.filter((fn): fn is McpToolRegistration => fn.kind === 'mcpTool'),
      (name) => contextFor(name, log),
    ),
    invoke,
    functionKey: options.functionKey,
    corsOrigins: options.settings.CORS_ALLOWED_ORIGINS,
    log,
  };
  const server = http.createServer((req, res) => {
    handleRequest(req, res, served).catch((e: unknown) => {
      const id = randomUUID();
      const problem = problemResponse(500, 'InternalError', 'internal error', id);
      log(`runner error (instance urn:uuid:${id}): ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(problem.status, problem.headers);
      res.end(problem.body);
    });
  });

  const stops: (() => void | Promise<void>)[] = [];
  if (options.runTimers !== false)
    for (const timer of timers) stops.push(scheduleTimer(timer, options.settings, invoke, log));
  if (options.pollBlobs !== false) stops.push(watchUploads(queues, options.storage, log));
  if (options.runQueues !== false) {
    const queueOptions = hostQueueOptions(hostJsonPath(), process.env, options.queueOptions);
    stops.push(startQueueFunctions(queues, options.storage, queueOptions, log));
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    close: async () => {
      await Promise.all(stops.map(async (stop) => stop()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs a timer, or enqueues a queue function's input, as the admin endpoint and the schedules do. */
function createInvoker(storage: StorageClients, log: (line: string) => void): Invoke {
  return async (fn, input) => {
    if (fn.kind === 'timer') {
      await fn.options.handler(
        { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: {} as never },
        contextFor(fn.name, log),
      );
    } else {
      if (input === undefined) throw new Error(`${fn.name} needs {"input": "…"}`);
      await enqueueInput(fn, storage, input);
    }
  };
}

/** What the server serves: the HTTP functions, what the admin endpoint runs and how, the MCP tools, the function key. */
interface Served {
  https: readonly HttpRegistration[];
  invocables: readonly Invocable[];
  mcp: McpHandler;
  invoke: Invoke;
  functionKey?: string;
  /** CORS_ALLOWED_ORIGINS: the runner plays the part of the platform's CORS. */
  corsOrigins: readonly string[];
  log: (line: string) => void;
}

/** The runner's own RFC 9457 problem answer (its occurrence id is new: no function ran). */
const problem = (status: number, code: ProblemCode, detail: string) =>
  problemResponse(status, code, detail, randomUUID());

/**
 * CORS as the platform does it in Azure: a preflight (OPTIONS with Access-Control-Request-Method)
 * is answered here, 204, whatever the path; other answers to an allowed origin get
 * Access-Control-Allow-Origin. Then the admin endpoint, or the HTTP function whose route matches
 * (behind its key, when it needs one).
 */
async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse, served: Served): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
  const preflight = method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  const cors = corsHeaders({ origin, preflight }, served.corsOrigins);
  for (const [header, value] of Object.entries(cors)) res.setHeader(header, value);
  if (preflight) return send(res, { status: 204, headers: {}, body: '' });

  const url = requestUrl(req);
  // Kestrel, in front of the Functions host, refuses such a request the same way.
  if (!url) return send(res, problem(400, 'BadRequest', 'malformed Host header or request target'));
  const admin = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
  if (admin && method === 'POST') {
    if (served.functionKey && !sameKey(keyOf(req, url), served.functionKey))
      return send(res, problem(401, 'Unauthorized', 'the admin endpoint requires the key (x-functions-key)'));
    return acceptInvocation(req, res, admin[1], served);
  }
  // In Azure the extension's endpoint asks for the mcp_extension system key; here for LOCAL_FUNCTION_KEY.
  if (url.pathname === MCP_PATH) {
    if (served.functionKey && !sameKey(keyOf(req, url), served.functionKey))
      return send(res, problem(401, 'Unauthorized', 'the MCP endpoint requires the key (x-functions-key)'));
    await served.mcp(req, res, url.origin);
    return served.log(`${method} ${url.pathname} → ${res.statusCode}`);
  }

  const notFound = () => problem(404, 'NotFound', `no endpoint at ${url.pathname}`);
  if (!url.pathname.startsWith('/api/')) return send(res, notFound());
  const route = findRoute(served.https, url.pathname.slice('/api/'.length).replace(/\/$/, ''), method);
  if ('methodMismatch' in route) {
    return send(
      res,
      route.methodMismatch
        ? problem(405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}`)
        : notFound(),
    );
  }
  if (route.fn.options.authLevel !== 'anonymous' && served.functionKey && !sameKey(keyOf(req, url), served.functionKey))
    return send(
      res,
      problem(401, 'Unauthorized', 'a function key is required (x-functions-key header or code query parameter)'),
    );
  return callHttpFunction(route.fn, route.params, { req, res, url, method }, served.log);
}

/** The request's URL, or null when its Host header or target is not one a URL can be made of. */
function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    // A host with a path or credentials in it (`a/b`, `u@h`) parses, but is no host.
    return url.host === (req.headers.host ?? 'localhost').toLowerCase() ? url : null;
  } catch {
    return null;
  }
}

/** The key the caller sent, where the host looks for it: the x-functions-key header, else the code parameter. */
function keyOf(req: http.IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  return typeof header === 'string' ? header : (url.searchParams.get('code') ?? undefined);
}

/**
 * `POST /admin/functions/{name}` with `{}` (a timer) or `{"input": "…"}` (a queue function: a blob name for
 * an upload function, else the message's JSON text, put on its queue): answers 202 at once, as the host
 * does; 404 for a name that is none, 400 for another body.
 */
async function acceptInvocation(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  name: string,
  served: Served,
): Promise<void> {
  const fn = served.invocables.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!fn) return send(res, problem(404, 'NotFound', `no timer or queue function named ${name}`));
  const body = await readBody(req, MAX_ADMIN_BODY_BYTES);
  if (body === 'too-large')
    return sendClosing(res, problem(413, 'PayloadTooLarge', `body over ${MAX_ADMIN_BODY_BYTES} bytes`));
  const parsed = adminInput(body.toString('utf8'));
  if (parsed === 'malformed')
    return send(res, problem(400, 'InvalidBody', 'the body must be {} or {"input": "<text>"}'));
  const { input } = parsed;
  if (fn.kind === 'queue' && input === undefined)
    return send(
      res,
      problem(400, 'InvalidBody', `${fn.name} needs {"input": "${fn.uploads ? '<blob name>' : '<message JSON>'}"}`),
    );
  served.invoke(fn, input).catch((e: unknown) => served.log(`[${fn.name}] failed: ${(e as Error).message}`));
  send(res, {
    status: 202,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accepted: fn.name }),
  });
}

/** The `input` of an admin body (empty, `{}` or `{"input": "<text>"}`), or 'malformed'. */
function adminInput(text: string): { input?: string } | 'malformed' {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'malformed';
  const input = (body as { input?: unknown }).input;
  return input === undefined || typeof input === 'string' ? { input } : 'malformed';
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

/** Calls an HTTP function as the host would (the body streamed, the query as in the URL) and writes its response. */
async function callHttpFunction(
  fn: HttpRegistration,
  params: Record<string, string>,
  { req, res, url, method }: { req: http.IncomingMessage; res: http.ServerResponse; url: URL; method: string },
  log: (line: string) => void,
): Promise<void> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES)
    return sendClosing(res, problem(413, 'PayloadTooLarge', `body over ${MAX_BODY_BYTES} bytes`));
  const headers = new Headers();
  for (const [header, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(header, value);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // Built as the library builds it for the host's HTTP streams; `query` is then the URL's own search
  // parameters, so a repeated parameter reaches the function as often as it was sent.
  const request = new HttpRequest({
    nativeRequest: new Request(url, {
      method,
      headers,
      body: hasBody ? bodyStream(req, MAX_BODY_BYTES) : undefined,
      duplex: 'half',
    }),
    params,
  } as HttpRequestInit);
  const started = Date.now();
  const result = (await fn.options.handler(request, contextFor(fn.name, log))) as
    HttpResponseInit | HttpResponse | undefined;
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, header) => (outHeaders[header] = value));
  // A body the function did not read to the end is not read by the runner either: the connection closes.
  if (hasBody && !req.readableEnded) closeAfter(res);
  res.writeHead(response.status, outHeaders);
  // Streamed as the function produces it (a price-list export is never held whole); a body that fails
  // half-way cuts the connection, so the client sees a truncated answer rather than a short one.
  if (response.body) await pipeline(Readable.fromWeb(response.body), res).catch(() => res.destroy());
  else res.end();
  log(`${method} ${url.pathname} → ${response.status} (${Date.now() - started} ms)`);
}

function send(res: http.ServerResponse, response: ApiResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** Answers and closes the connection, leaving the rest of the request body unread (Node would read it to the end). */
function sendClosing(res: http.ServerResponse, response: ApiResponse): void {
  closeAfter(res);
  send(res, response);
}

function closeAfter(res: http.ServerResponse): void {
  res.setHeader('connection', 'close');
  res.once('finish', () => res.socket?.destroySoon());
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
    invoke(timer)
      .catch((e: unknown) => log(`[${timer.name}] failed: ${(e as Error).message}`))
      .finally(next);
  };
  next();
  return () => {
    stopped = true;
    if (handle) clearTimeout(handle);
  };
}
