import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runColdStartBench } from './coldstart';
import { runCustomerBench } from './customers';
import { runFanoutBench } from './fanout';
import { runLookupBench } from './lookup';
import { runNotifyBench } from './notify';
import { runPriceBench } from './prices';
import { runUploadBench } from './uploads';
import { runQuoteBench } from './quotes';
import { runExportBench } from './export';

/**
 * `npm run bench [-- --rows N] [--latency-ms N] [--only prices,lookup,customers,uploads,fanout,quotes,export,coldstart,notify]`:
 * the project's benchmarks (not part of npm test). Each suite measures its baseline in the same run;
 * results go to stdout and .bench/results.json. `--rows` sizes the price sheet of the prices and
 * lookup suites (default 200,000; also of export and of notify's change set, while quotes defaults to
 * 20,000) and each market's sheet of fanout (default 20,000); `--latency-ms` adds that delay to every
 * storage request of the prices suite, as Azure's round trip would; customers validates 1,000,000
 * records, uploads ingests a 500,000-row zip, and coldstart times loading the deployment package's
 * function modules.
 */
type Suite = (options: { rows?: number; workDir: string; latencyMs?: number }) => Promise<Record<string, unknown>>;

/** Fewer rows than this measure start-up more than throughput. */
const MIN_ROWS = 1000;

const SUITES: Record<string, Suite> = {
  prices: runPriceBench,
  lookup: ({ rows }) => runLookupBench({ rows }),
  customers: ({ workDir }) => runCustomerBench({ workDir }),
  uploads: ({ workDir }) => runUploadBench({ workDir }),
  fanout: runFanoutBench,
  quotes: runQuoteBench,
  export: runExportBench,
  coldstart: ({ workDir }) => runColdStartBench({ workDir }),
  notify: ({ rows }) => runNotifyBench({ rows }),
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string' }, only: { type: 'string' }, 'latency-ms': { type: 'string' } },
  });
  const rows = values.rows === undefined ? undefined : Number(values.rows);
  if (rows !== undefined && (!Number.isInteger(rows) || rows < MIN_ROWS))
    throw new Error(`--rows must be a whole number ≥ ${MIN_ROWS}`);
  const latencyMs = values['latency-ms'] === undefined ? undefined : Number(values['latency-ms']);
  if (latencyMs !== undefined && !(Number.isInteger(latencyMs) && latencyMs >= 0))
    throw new Error('--latency-ms must be a whole number of milliseconds ≥ 0');
  const names = values.only ? values.only.split(',') : Object.keys(SUITES);
  const unknown = names.filter((name) => !(name in SUITES));
  if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`);
  const workDir = path.resolve(__dirname, '..', '..', '.bench');
  fs.mkdirSync(workDir, { recursive: true });
  const results: Record<string, unknown> = {
    machine: { node: process.version, cpus: os.cpus().length },
    startedAt: new Date().toISOString(),
  };
  for (const name of names) {
    process.stderr.write(`bench ${name}…\n`);
    results[name] = await SUITES[name]({ rows, workDir, latencyMs });
    process.stderr.write(`${JSON.stringify(results[name], null, 2)}\n`);
  }
  fs.writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
