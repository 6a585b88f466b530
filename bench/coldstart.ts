import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import unzipper from 'unzipper';
import { buildPackage } from '../deploy/package';
import { projectRoot } from '../shared/config/paths';
import { HEAP_FLAGS } from './heap';
import { PRODUCTION_SETTINGS } from '../deploy/productionSettings';

/** Child processes per measurement; the median is reported (the machine is shared and noisy). */
const RUNS = 15;
/** Loading every function module may cost at most this many times a bare `require('@azure/functions')`. */
const TARGET_RATIO = 2;
/**
 * What the first invocation costs on top (its implementation loaded then): a customer validation,
 * which needs no storage, so the figure is the loading and not a round trip.
 */
const FIRST_CALL =
  'validateCustomer={"country":"KZ","organizationRegistrationNumber":"940140000385","phoneNumber":"+7 701 234 56 78"}';
/**
 * Cold start: the wall time of a Node process that loads every function module of the package azd
 * ships (`npm run package`, unzipped, loaded the way the worker loads `main`: deploy/loadApp.ts),
 * against one that only requires `@azure/functions`, in interleaved runs of the same session. Beside
 * it: the same load followed by a first invocation (whose implementation loads then), and the
 * unbundled build (`dist/functions/*.js` with node_modules, what `func start` runs).
 */
export async function runColdStartBench(options: { workDir: string }): Promise<Record<string, unknown>> {
  const root = projectRoot();
  const built = await buildPackage(root);
  const appDir = path.join(options.workDir, 'coldstart-app');
  fs.rmSync(appDir, { recursive: true, force: true });
  await (await unzipper.Open.file(built.zip)).extract({ path: appDir });

  const loader = path.join(root, 'dist', 'deploy', 'loadApp.js');
  const samples = {
    bare: [] as number[],
    package: [] as number[],
    firstCall: [] as number[],
    unbundled: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    samples.bare.push(await wallMs([loader, '--bare'], root));
    samples.package.push(await wallMs([loader, appDir], appDir));
    samples.firstCall.push(await wallMs([loader, appDir, '--invoke', FIRST_CALL], appDir));
    samples.unbundled.push(await wallMs([loader, root], root));
  }
  const bare = median(samples.bare);
  const packaged = median(samples.package);
  const firstCall = median(samples.firstCall);
  const unbundled = median(samples.unbundled);
  return {
    runs: RUNS,
    zipMB: Math.round(built.zipBytes / 1e4) / 100,
    bundledPackages: built.bundledPackages.length,
    medianMs: { bareAzureFunctions: bare, package: packaged, packageAndFirstCall: firstCall, unbundled },
    ratios: {
      packageVsBare: round(packaged / bare),
      packageAndFirstCallVsBare: round(firstCall / bare),
      unbundledVsBare: round(unbundled / bare),
    },
    targets: { [`package ≤ ${TARGET_RATIO} × bare @azure/functions`]: packaged <= TARGET_RATIO * bare },
  };
}

/** Spawn to exit of one child with the deployed heap flags and production settings, in ms. */
function wallMs(args: string[], cwd: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...HEAP_FLAGS, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...PRODUCTION_SETTINGS },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10);
      else reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (ratio: number) => Math.round(ratio * 100) / 100;
