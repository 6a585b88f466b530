import fs from 'node:fs';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import yazl from 'yazl';
import { projectRoot } from '../shared/config/paths';

/**
 * `npm run package`: the deployment package, `.package/app/` and the same files zipped as
 * `.package/app.zip`. azd ships the folder (`dist: .package/app` in azure.yaml); `az functionapp
 * deployment source config-zip` takes the zip. It holds host.json, a production package.json, the
 * sample data the `sample` sources read, and the bundles: `dist/main.js`, every function module with
 * what registering needs; `dist/implementations.js`, what the functions load on first invocation; the
 * worker threads' scripts (WORKER_SCRIPTS); and the packages loaded on first use apart in
 * `dist/vendor/` (LAZY_PACKAGES). No node_modules, no
 * TypeScript, no tests. docs/operations.md (What ships) and docs/design.md (cold start) say why.
 */

/** The output folder, git-ignored. */
const PACKAGE_DIR = '.package';
/** The worker's built-in module: it exists only inside the Functions host, never on npm. */
const WORKER_CORE = '@azure/functions-core';
/** The package.json fields the Functions host and Oryx read; no dependencies (bundled) and no scripts. */
const PACKAGE_FIELDS = ['name', 'version', 'description', 'license', 'private', 'engines'] as const;
/**
 * Packages the app requires only on first use (shared/storage/sdk.ts, shared/http/restPipeline.ts,
 * shared/notifications/sdk.ts, exports' exceljs, uploads' unzipper). Each is bundled into a file of its
 * own, `dist/vendor/<name>.js`, which the main bundle requires where the source does: a cold start
 * then neither reads nor compiles them (most of the bundle's bytes), as the unbundled build would not.
 */
const LAZY_PACKAGES = [
  '@azure/core-rest-pipeline',
  '@azure/data-tables',
  '@azure/eventgrid',
  '@azure/identity',
  '@azure/storage-blob',
  '@azure/storage-queue',
  'cloudevents',
  'exceljs',
  'unzipper',
];
/**
 * Scripts the app starts as worker threads, each bundled on its own as `dist/<name>.js`: where the
 * module that starts it looks for it, beside its own file (shared/runs/workerThreads.ts scriptBeside).
 */
const WORKER_SCRIPTS = ['shared/prices/sheetReaderWorker.ts'];
/** The bundle of the functions' implementations, beside main.js (implementationsApart). */
const IMPLEMENTATIONS = 'implementations.js';
/** Zip entries carry this date, so that the same inputs give the same zip. */
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

export interface AppPackage {
  /** `.package/app`: what azd zips and ships. */
  appDir: string;
  /** `.package/app.zip`: the same files. */
  zip: string;
  zipBytes: number;
  /** Paths inside the package, `/`-separated, sorted. */
  files: string[];
  /** The npm packages the bundle holds (from esbuild's metafile). */
  bundledPackages: string[];
  /** Packages bundled code requires that production would not install: left as a `require` that fails if reached. */
  leftOut: string[];
}

/**
 * Builds the package from the TypeScript sources (esbuild compiles them as tsc does: isolatedModules):
 * `dist/main.js` requires every `functions/*.ts`, so a function file added on any branch is picked up.
 * The function files register their triggers and load their implementations with `import()` on
 * first invocation (runtime/registry.ts); every module so loaded goes into `dist/implementations.js`
 * (IMPLEMENTATIONS), one bundle with one instance of each module, required on the first invocation:
 * a cold start compiles only the registrations, @azure/functions and what they import.
 */
export async function buildPackage(root: string): Promise<AppPackage> {
  const outDir = path.join(root, PACKAGE_DIR);
  const appDir = path.join(outDir, 'app');
  const zip = path.join(outDir, 'app.zip');
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.rmSync(zip, { force: true });

  const leftOut = new Set<string>();
  const bundle = (entry: string, outfile: string, plugins: Plugin[]) =>
    build({
      stdin: { contents: entry, resolveDir: root, sourcefile: path.basename(outfile), loader: 'js' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile,
      external: [WORKER_CORE],
      plugins: [...plugins, leaveOutOfProductionAsRequire(root, leftOut)],
      minify: true,
      // Error and class names stay readable in logs and stack traces.
      keepNames: true,
      metafile: true,
      logLevel: 'error',
    });
  const implementations = new Map<string, string>();
  const results = [
    await bundle(entryModule(root), path.join(appDir, 'dist', 'main.js'), [
      implementationsApart(root, implementations),
      lazyPackagesApart(),
    ]),
  ];
  results.push(
    await bundle(implementationsModule(implementations), path.join(appDir, 'dist', IMPLEMENTATIONS), [
      lazyPackagesApart(),
    ]),
  );
  for (const script of WORKER_SCRIPTS)
    results.push(
      await bundle(`require('./${script}');`, path.join(appDir, 'dist', `${path.basename(script, '.ts')}.js`), [
        lazyPackagesApart(),
      ]),
    );
  for (const name of LAZY_PACKAGES)
    results.push(await bundle(`module.exports = require('${name}');`, path.join(appDir, 'dist', vendorFile(name)), []));

  fs.copyFileSync(path.join(root, 'host.json'), path.join(appDir, 'host.json'));
  fs.cpSync(path.join(root, 'sample-data'), path.join(appDir, 'sample-data'), { recursive: true });
  fs.writeFileSync(path.join(appDir, 'package.json'), `${JSON.stringify(productionManifest(root), null, 2)}\n`);

  const files = listFiles(appDir);
  await writeZip(appDir, files, zip);
  return {
    appDir,
    zip,
    zipBytes: fs.statSync(zip).size,
    files,
    bundledPackages: bundledPackages(results.map((result) => result.metafile)),
    leftOut: [...leftOut].sort(),
  };
}

/** One `require` per function module, in file order, as the host's `main` glob would load them. */
function entryModule(root: string): string {
  const names = fs
    .readdirSync(path.join(root, 'functions'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort();
  if (names.length === 0) throw new Error('no function modules under functions/');
  return names.map((file) => `require('./functions/${file}');`).join('\n');
}

/**
 * Every module the registrations load with `import()` (an implementation, runtime/services, an MCP
 * tool) is taken out of the main bundle: in its place a stub that requires `./implementations.js`
 * and runs that module's loader there. `implementations` collects them: key → absolute path.
 */
function implementationsApart(root: string, implementations: Map<string, string>): Plugin {
  const retry = Symbol('resolve once');
  return {
    name: 'implementations-apart',
    setup(esbuild) {
      esbuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData === retry) return undefined;
        const resolved = await esbuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: retry,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const key = path.relative(root, resolved.path).split(path.sep).join('/');
        implementations.set(key, resolved.path);
        return { path: key, namespace: 'implementation' };
      });
      esbuild.onResolve({ filter: new RegExp(`^\\./${IMPLEMENTATIONS.replace('.', '\\.')}$`) }, (args) => ({
        path: args.path,
        external: true,
      }));
      esbuild.onLoad({ filter: /.*/, namespace: 'implementation' }, (args) => ({
        contents: `module.exports = require('./${IMPLEMENTATIONS}')[${JSON.stringify(args.path)}]();`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

/** The implementations bundle's entry: a loader per module, so requiring it runs none of them. */
function implementationsModule(implementations: Map<string, string>): string {
  if (implementations.size === 0) throw new Error('no function loads an implementation with import()');
  const loaders = [...implementations]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, file]) => `  ${JSON.stringify(key)}: () => require(${JSON.stringify(file)}),`);
  return `module.exports = {\n${loaders.join('\n')}\n};`;
}

/** `@azure/data-tables` → `vendor/azure-data-tables.js`, beside the main bundle. */
const vendorFile = (name: string) => `vendor/${name.replace(/^@/, '').replace(/\//g, '-')}.js`;

/** The app's own requires of a lazily loaded package go to its file in `dist/vendor/` (kept a plain require). */
function lazyPackagesApart(): Plugin {
  const lazy = new Set(LAZY_PACKAGES);
  return {
    name: 'lazy-packages-apart',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
        const fromApp = !args.importer.split(path.sep).includes('node_modules');
        return fromApp && lazy.has(args.path) ? { path: `./${vendorFile(args.path)}`, external: true } : undefined;
      });
    },
  };
}

/**
 * A package that bundled code requires but that `npm ci --omit=dev` would not install stays a plain
 * `require`, as it would run unbundled in production: it fails only if that code path runs. Such
 * requires are optional by design: `debug` tries `supports-color` (installed here only for dev
 * tools), unzipper's S3 source wants `@aws-sdk/client-s3`, which the app never uses. A missing
 * package the app does need fails the package test, which loads and invokes the package.
 */
function leaveOutOfProductionAsRequire(root: string, leftOut: Set<string>): Plugin {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const modulesDir = fs.realpathSync(path.join(root, 'node_modules'));
  const retry = Symbol('resolve once');
  return {
    name: 'leave-out-of-production-as-require',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === retry || args.path === WORKER_CORE) return undefined;
        const resolved = await esbuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: retry,
        });
        // The lock file's key of the innermost package holding the file, e.g. node_modules/a/node_modules/b
        // (relative to node_modules' real path: esbuild resolves symbolic links, and node_modules may be one).
        const installedAt = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(
          `node_modules/${path.relative(modulesDir, resolved.path).split(path.sep).join('/')}`,
        )?.[1];
        const inProduction = resolved.errors.length === 0 && !(installedAt && lock.packages[installedAt]?.dev);
        if (inProduction) return resolved;
        leftOut.add(args.path);
        return { path: args.path, external: true };
      });
    },
  };
}

function productionManifest(root: string): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const field of PACKAGE_FIELDS) if (manifest[field] !== undefined) fields[field] = manifest[field];
  return { ...fields, main: 'dist/main.js' };
}

/** `node_modules/@scope/name/…` → `@scope/name`, for every bundled input of every bundle. */
function bundledPackages(metafiles: Metafile[]): string[] {
  const names = new Set<string>();
  for (const input of metafiles.flatMap((metafile) => Object.keys(metafile.inputs))) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative];
    })
    .sort();
}

function writeZip(dir: string, files: string[], zip: string): Promise<void> {
  const archive = new yazl.ZipFile();
  for (const file of files) archive.addFile(path.join(dir, file), file, { mtime: ENTRY_TIME, mode: 0o100644 });
  archive.end();
  return new Promise((resolve, reject) => {
    const out = fs.createWriteStream(zip);
    out.on('close', resolve).on('error', reject);
    archive.outputStream.on('error', reject).pipe(out);
  });
}

if (require.main === module) {
  const root = projectRoot();
  buildPackage(root).then(
    (built) => {
      process.stdout.write(
        `${path.relative(root, built.zip)}: ${(built.zipBytes / 1e6).toFixed(2)} MB, ${built.files.length} files, ` +
          `${built.bundledPackages.length} npm packages bundled` +
          (built.leftOut.length ? `; not in production, left as require: ${built.leftOut.join(', ')}` : '') +
          '\n',
      );
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
