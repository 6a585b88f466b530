import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { validateCustomerRecords } from '../shared/customers/batch';
import { HEAP_FLAGS } from './heap';

/**
 * Batch customer validation (the path the CLI and the blob drop share): throughput in records/s
 * and peak RSS on a generated CSV of 1,000,000 records. Targets: ≥ 50,000 records/s, ≤ 200 MB.
 * The validation runs in a process of its own (this file, run with --validate), so that its peak
 * RSS is measured alone. Run from the compiled output (`npm run bench`).
 */

export interface CustomerBenchOptions {
  records?: number;
  /** Where the generated file and its report go (default: the OS temp folder). */
  workDir?: string;
}

const TARGET_RECORDS_PER_SECOND = 50_000;
const TARGET_PEAK_RSS_MB = 200;
/** Room for the child's output: one JSON line. */
const CHILD_OUTPUT_BYTES = 1024 * 1024;
/** Text generated before each write of the customer file. */
const CSV_CHUNK_CHARS = 256 * 1024;

export async function runCustomerBench(options: CustomerBenchOptions = {}): Promise<Record<string, unknown>> {
  const records = options.records ?? 1_000_000;
  const dir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'customer-bench-'));
  const file = path.join(dir, `customers-${records}.csv`);
  const generatedAt = Date.now();
  await pipeline(Readable.from(customerCsv(records)), fs.createWriteStream(file));
  const generateSeconds = (Date.now() - generatedAt) / 1000;

  const { stdout } = await promisify(execFile)(process.execPath, [...HEAP_FLAGS, __filename, '--validate', file], {
    maxBuffer: CHILD_OUTPUT_BYTES,
  });
  const child = JSON.parse(stdout) as {
    seconds: number;
    cpuSeconds: number;
    records: number;
    valid: number;
    invalid: number;
    peakRssMB: number;
  };
  const recordsPerSecond = Math.round(child.records / child.seconds);
  const result = {
    records: child.records,
    valid: child.valid,
    invalid: child.invalid,
    fileMB: round(fs.statSync(file).size / 1024 / 1024),
    generateSeconds: round(generateSeconds),
    validateSeconds: round(child.seconds),
    recordsPerSecond,
    // Wall-clock figures suffer when other processes share the CPU; this one does not.
    cpuSeconds: round(child.cpuSeconds),
    recordsPerCpuSecond: Math.round(child.records / child.cpuSeconds),
    peakRssMB: child.peakRssMB,
    targets: { recordsPerSecond: TARGET_RECORDS_PER_SECOND, peakRssMB: TARGET_PEAK_RSS_MB },
    pass: recordsPerSecond >= TARGET_RECORDS_PER_SECOND && child.peakRssMB <= TARGET_PEAK_RSS_MB,
  };
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.report.csv`, { force: true });
  if (!options.workDir) fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * A realistic mix: every country of the table, companies and individuals, international and
 * national phone formats, separators, and about one record in six with a problem (wrong check
 * digit, wrong length, missing phone, wrong-country phone, INN for a country that takes none).
 */
const TEMPLATES: string[] = [
  'RU,7709442668,+79123456789,Anna,Sergeevna,Ivanova',
  'RU,123456789047,8 912 345-67-89,Oleg,,Petrov',
  'RU,77-09-44-26-68,+7 (912) 345 67 89,Irina,,Smirnova',
  'KZ,940140000385,+77710009998,Aigerim,,Nurlanova',
  'KZ,011140001654,8 771 000 9998,Daniyar,,Akhmetov',
  'BY,200988541,8 029 491 19 11,Pavel,,Kovalchuk',
  'UA,32855961,0501234567,Olena,,Kovalenko',
  'UA,1759013776,+380501234567,Taras,,Shevchuk',
  'HU,10136915444,06 20 123 4567,József,,Nagy',
  'HU,8071592153,+36201234567,Anna,,Kovács',
  'MD,1008600038413,+37362112345,Ion,,Rusu',
  'AZ,1401555071,+994401234567,Leyla,,Aliyeva',
  'AM,00012345,+37477123456,Armen,,Sargsyan',
  'KG,12505199010011,+996700123456,Aibek,,Osmonov',
  'TJ,123456789,+992917123456,Farrukh,,Rahimov',
  'UZ,123456789,+998912345678,Dilshod,,Karimov',
  'DE,,030 1234567,Jonas,,Becker',
  'US,,,Emily,,Clark',
  // With problems:
  'RU,1234567895,+79123456789,Ivan,,Sidorov',
  'KZ,990940003031,+79123456789,Asel,,Bekova',
  'UA,12345,0501234567,Mykola,,Bondar',
  'BY,200988541,,Alena,,Novik',
  'DE,123456789,+4930123456,Lena,,Wolf',
];

async function* customerCsv(records: number): AsyncGenerator<string> {
  yield 'ref,country,organizationRegistrationNumber,phoneNumber,firstName,middleName,lastName,email\n';
  let chunk = '';
  for (let i = 0; i < records; i++) {
    chunk += `R${i},${TEMPLATES[i % TEMPLATES.length]},customer${i}@example.com\n`;
    if (chunk.length > CSV_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The child: validates the file, prints `{ seconds, cpuSeconds, records, valid, invalid, peakRssMB }`. */
async function validateFile(file: string): Promise<void> {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const summary = await validateCustomerRecords(
    fs.createReadStream(file),
    'csv',
    fs.createWriteStream(`${file}.report.csv`),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const { records, valid, invalid } = summary;
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, records, valid, invalid, peakRssMB })}\n`);
}

if (require.main === module && process.argv[2] === '--validate') {
  validateFile(process.argv[3]).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
