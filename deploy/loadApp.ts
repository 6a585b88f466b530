import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Tinyglobby from 'tinyglobby';

/**
 * `node dist/deploy/loadApp.js <appDir> [--invoke name[=json body]]…` loads a function app folder
 * the way the Functions Node.js worker does, outside the host, and prints one JSON line: the
 * functions registered, the files of the app that loading them read (`loadedAtStart`, relative to
 * the app folder), and with `--invoke`, what each named function answered: an HTTP function gets a GET
 * (a POST with a body), any other its trigger's payload as the host decodes it (the JSON given).
 * `node dist/deploy/loadApp.js --bare` only requires `@azure/functions`: the cold-start baseline.
 *
 * Like the worker, it provides the built-in `@azure/functions-core` module by intercepting
 * `require` (the worker's setupCoreModule), here recording each `registerFunction` call, then
 * requires every file that package.json `main` names (a glob). Used by the package test and the
 * cold-start benchmark; the module stays small, since its own load is part of what is timed.
 */

interface Registered {
  name: string;
  /** The trigger binding's type: httpTrigger, timerTrigger, eventGridTrigger, … */
  trigger: string;
  handler: (...args: unknown[]) => unknown;
}

interface FunctionMetadata {
  name: string;
  bindings: Record<string, { type: string }>;
}

const registered: Registered[] = [];

/** The part of the worker's `@azure/functions-core` that `@azure/functions` v4 calls while modules load. */
const workerCore = {
  version: 'loadApp',
  hostVersion: 'loadApp',
  registerFunction(metadata: FunctionMetadata, handler: Registered['handler']) {
    const trigger = Object.values(metadata.bindings).find((binding) => /trigger$/i.test(binding.type));
    registered.push({ name: metadata.name, trigger: trigger?.type ?? 'none', handler });
    return { dispose: () => undefined };
  },
  setProgrammingModel: () => undefined,
  registerHook: () => ({ dispose: () => undefined }),
  // Present in hosts that stream HTTP bodies; `app.setup({ enableHttpStream: true })` checks for it.
  log: () => undefined,
};

type Require = (this: unknown, id: string) => unknown;
const modulePrototype = Module.prototype as unknown as { require: Require };
modulePrototype.require = new Proxy(modulePrototype.require, {
  apply: (target, self, args: [string]) =>
    args[0] === '@azure/functions-core' ? workerCore : target.apply(self, args),
});

/** The files `main` names: one path, or a glob such as `dist/functions/*.js` (the host accepts both). */
function mainFiles(appDir: string): string[] {
  const { main } = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { main: string };
  if (!/[*?[{]/.test(main)) return [path.join(appDir, main)];
  // Only the unbundled build's `main` is a glob; the package's is one file, so the package's timed
  // load never pays for the glob library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a glob, see above
  const { globSync } = require('tinyglobby') as typeof Tinyglobby;
  return globSync(main, { cwd: appDir, absolute: true }).sort();
}

/** The invocation context a handler gets: silent logs. */
function contextOf(name: string) {
  const log = (..._args: unknown[]) => undefined;
  return {
    invocationId: 'loadApp',
    functionName: name,
    triggerMetadata: { dequeueCount: 1 },
    log,
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
  };
}

/**
 * An HTTP function: a GET (or, with a body, a POST) as the host hands it over with body streaming on.
 * Any other function: the body, parsed, as its trigger's payload (a queue message's decoded JSON).
 */
async function invoke(name: string, body: string | undefined): Promise<unknown> {
  const target = registered.find((r) => r.name === name);
  if (!target) throw new Error(`no function ${name} registered`);
  if (target.trigger !== 'httpTrigger') {
    const result = await target.handler(body === undefined ? undefined : JSON.parse(body), contextOf(name));
    return { status: 'completed', body: result };
  }
  const bytes = body === undefined ? undefined : Buffer.from(body);
  const request = {
    method: bytes ? 'POST' : 'GET',
    url: `http://localhost/api/${name}`,
    query: new URLSearchParams(),
    params: {},
    headers: new Headers(bytes ? { 'content-type': 'application/json', 'content-length': String(bytes.length) } : {}),
    body: bytes
      ? (async function* () {
          yield new Uint8Array(bytes);
        })()
      : null,
  };
  const answer = (await target.handler(request, contextOf(name))) as {
    status?: number;
    jsonBody?: unknown;
    body?: unknown;
  };
  return { status: answer.status ?? 200, body: answer.jsonBody ?? answer.body };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { bare: { type: 'boolean' }, invoke: { type: 'string', multiple: true } },
  });
  if (values.bare) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the baseline is exactly this require
    require('@azure/functions');
    return;
  }
  const appDir = path.resolve(positionals[0] ?? '.');
  const files = mainFiles(appDir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as the worker loads `main`
  for (const file of files) require(file);
  const loadedAtStart = Object.keys(require.cache)
    .filter((file) => file.startsWith(appDir + path.sep))
    .map((file) => path.relative(appDir, file).split(path.sep).join('/'))
    .sort();
  const answers: Record<string, unknown> = {};
  for (const spec of values.invoke ?? []) {
    const [name, ...body] = spec.split('=');
    answers[name] = await invoke(name, body.length ? body.join('=') : undefined);
  }
  const functions = registered.map(({ name, trigger }) => ({ name, trigger }));
  process.stdout.write(`${JSON.stringify({ files: files.length, functions, loadedAtStart, answers })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
