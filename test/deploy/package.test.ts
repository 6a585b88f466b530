import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import unzipper from 'unzipper';
import { buildPackage, type AppPackage } from '../../deploy/package';
import { projectRoot } from '../../shared/config/paths';
import { testSettings, testStorage } from '../helpers/storage';
import { uploadContainers } from '../helpers/uploads';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';
import { blobCreatedEvent } from '../../shared/uploads/blobEvents';
import { WORKER_MIN_BYTES } from '../../shared/prices/sheetReader';
import { PRODUCTION_SETTINGS } from '../../deploy/productionSettings';

/**
 * The deployment package as azd ships it: built from a fresh `npm run build`, unzipped into a folder
 * outside the repository (no node_modules anywhere above it), and loaded there by a child process the
 * way the Functions worker loads an app (deploy/loadApp.ts), with the settings the templates set.
 */

const run = promisify(execFile);
const ROOT = projectRoot();
const LOADER = path.join(ROOT, 'dist', 'deploy', 'loadApp.js');
/** tsc and esbuild on a shared, busy machine. */
const BUILD_TIMEOUT_MS = 240_000;

interface Loaded {
  files: number;
  functions: { name: string; trigger: string }[];
  loadedAtStart: string[];
  answers: Record<string, { status: number; body: unknown }>;
}

let built: AppPackage;
let appDir: string;

async function load(dir: string, env: Record<string, string>, ...args: string[]): Promise<Loaded & { stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [LOADER, dir, ...args], {
    cwd: dir,
    // Only what a worker process would have: no NODE_PATH, none of the test run's settings.
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { ...(JSON.parse(stdout) as Loaded), stderr };
}

beforeAll(async () => {
  await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { cwd: ROOT });
  built = await buildPackage(ROOT);
  appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  await (await unzipper.Open.file(built.zip)).extract({ path: appDir });
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (appDir) fs.rmSync(appDir, { recursive: true, force: true, maxRetries: 3 });
});

describe('npm run package', () => {
  it('zips exactly the package folder azd ships', async () => {
    const entries = (await unzipper.Open.file(built.zip)).files.filter((f) => f.type === 'File').map((f) => f.path);
    expect(entries.sort()).toEqual(built.files);
    expect(built.zipBytes).toBe(fs.statSync(built.zip).size);
  });

  it('holds host.json, a production package.json, the sample data and the bundles: no sources, tests or node_modules', () => {
    expect(built.files).toEqual(
      expect.arrayContaining(['host.json', 'package.json', 'dist/main.js', 'dist/vendor/azure-data-tables.js']),
    );
    for (const file of built.files)
      expect({
        file,
        ok: /^(host\.json|package\.json|dist\/(main|implementations|sheetReaderWorker)\.js|dist\/vendor\/[a-z-]+\.js|sample-data\/[^/]+)$/.test(
          file,
        ),
      }).toEqual({ file, ok: true });
    expect(fs.readFileSync(path.join(appDir, 'host.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8'),
    );
  });

  it('loads each package kept apart for first use from its own file, with nothing beside it', async () => {
    const vendor = built.files.filter((file) => file.startsWith('dist/vendor/'));
    expect(vendor.length).toBeGreaterThanOrEqual(5);
    for (const file of vendor) {
      const { stdout } = await run(
        process.execPath,
        ['-e', `console.log(Object.keys(require(${JSON.stringify(path.join(appDir, file))})).length)`],
        { cwd: appDir, env: { PATH: process.env.PATH ?? '' } },
      );
      expect({ file, exports: Number(stdout) > 0 }).toEqual({ file, exports: true });
    }
  });

  it('has a package.json without dependencies or scripts, so a remote build installs and runs nothing', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8'));
    const source = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(manifest).toEqual({
      name: source.name,
      version: source.version,
      description: source.description,
      license: source.license,
      private: true,
      engines: source.engines,
      main: 'dist/main.js',
    });
  });

  it('bundles production dependencies only', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const source = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(built.bundledPackages).toEqual(expect.arrayContaining(['@azure/functions', '@azure/data-tables', 'zod']));
    for (const name of built.bundledPackages) {
      const installs = Object.entries(lock.packages).filter(([key]) => key.endsWith(`node_modules/${name}`));
      // Installed for a production dependency (npm marks what only devDependencies need as dev).
      expect({ name, production: installs.some(([, entry]) => !entry.dev) }).toEqual({ name, production: true });
      expect(Object.keys(source.devDependencies)).not.toContain(name);
    }
  });

  it('loads every function module from the unzipped package with production settings, as the worker does', async () => {
    const fromPackage = await load(appDir, PRODUCTION_SETTINGS);
    // The same modules as compiled, unbundled, loaded through package.json's glob (dist/functions/*.js).
    const unbundled = await load(ROOT, PRODUCTION_SETTINGS);
    expect(fromPackage.files).toBe(1);
    expect(unbundled.files).toBe(fs.readdirSync(path.join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')).length);
    expect(fromPackage.functions.length).toBeGreaterThan(0);
    expect(fromPackage.functions).toEqual(unbundled.functions);
    expect(fromPackage.stderr).toBe('');
  });

  it('registers the functions without loading their implementations, zod or an Azure SDK (cold start)', async () => {
    const fromPackage = await load(appDir, PRODUCTION_SETTINGS);
    expect(fromPackage.loadedAtStart).toEqual(['dist/main.js']);
    const unbundled = await load(ROOT, PRODUCTION_SETTINGS);
    const heavy = unbundled.loadedAtStart.filter((file) =>
      /^node_modules\/(zod|luxon|libphonenumber-js|@azure\/(?!functions))|^dist\/shared\/(prices|rates|customers|quotes|notifications|uploads|config)\//.test(
        file,
      ),
    );
    expect(heavy).toEqual([]);
    expect(unbundled.loadedAtStart).toContain('dist/runtime/registry.js');
  });

  it('answers requests from the unzipped package: storage, settings, validation rules', async () => {
    const settings = testSettings();
    const { answers, stderr } = await load(
      appDir,
      { AzureWebJobsStorage: settings.AzureWebJobsStorage!, STORAGE_NAME_PREFIX: settings.STORAGE_NAME_PREFIX },
      '--invoke',
      'health',
      '--invoke',
      'validateCustomer={"country":"KZ","organizationRegistrationNumber":"940140000385","phoneNumber":"+7 912 345 67 89"}',
    );
    expect(stderr).toBe('');
    expect(answers.health.status).toBe(200);
    expect(JSON.parse(answers.health.body as string)).toMatchObject({ storage: { reachable: true } });
    expect(answers.validateCustomer.status).toBe(200);
    expect(JSON.parse(answers.validateCustomer.body as string)).toMatchObject({
      valid: false,
      errors: [{ code: 'PHONE_WRONG_COUNTRY' }],
    });
  });

  it('ingests a price upload large enough for a worker thread from the unzipped package', async () => {
    const { settings, storage } = testStorage();
    const uploads = uploadContainers(storage, 'priceUploads');
    const rows = Array.from({ length: 5000 }, (_, i) =>
      consumptionRow({ UnitPrice: `0.${1000 + i}`, MeterIds: meterId(70_000 + i) }),
    );
    const csv = sheetCsv(rows);
    expect(csv.length).toBeGreaterThanOrEqual(WORKER_MIN_BYTES);
    const name = 'azure_consumption/US/2026-11-01/large.csv';
    await uploads.drop(name, csv);
    const blob = uploads.areas.uploads.getBlobClient(name);
    const event = blobCreatedEvent({ url: blob.url, container: uploads.areas.uploads.containerName, name, etag: 'e' });

    const { answers, stderr } = await load(
      appDir,
      { AzureWebJobsStorage: settings.AzureWebJobsStorage!, STORAGE_NAME_PREFIX: settings.STORAGE_NAME_PREFIX },
      '--invoke',
      `priceUploads=${JSON.stringify(event)}`,
    );

    expect(stderr).toBe('');
    expect(answers.priceUploads).toMatchObject({ status: 'completed', body: { status: 'processed' } });
    expect(await uploads.list('processed')).toContain(name);
    const report = JSON.parse(await uploads.text('processed', `${name}.report.json`));
    expect(report).toMatchObject({ status: 'processed', counts: { read: 5000, added: 5000, rejected: 0 } });
  });
});
