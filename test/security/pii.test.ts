import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { MCP_PATH } from '../../runtime/mcpServer';
import { createStorageClients } from '../../shared/storage/clients';
import { processedContainer, quarantineContainer } from '../../shared/storage/names';
import { consumptionRow, sheetCsv } from '../helpers/priceSheets';
import { testSettings } from '../helpers/storage';
import { uploadContainers } from '../helpers/uploads';

/**
 * No personal data in a log line, an error text or the ledger (issue 12, definition of done). This
 * test sends distinctive INNs and phone numbers down every path that receives personal data — the
 * HTTP validate endpoint, the validate_customer MCP tool, customer CSV and JSONL blob drops (one with a stray quote), a customer
 * file dropped into the price upload container by mistake, and `cli validate` in a child process —
 * through the real code (local runner, Azurite), then looks for the values in everything kept or
 * printed. Exempt, because they are written back for the caller or the file's owner to correct the
 * records: the HTTP verdict's `normalized` object, the per-record reports (`*.report.csv|jsonl`) and
 * the uploaded inputs themselves (moved, archived). Everything else is scanned.
 */

const INN_VALID = '5263179847';
/** Wrong check digit, sent with hyphens so that its digits-only form is looked for as well. */
const INN_BAD = '366-215-7391';
const PHONE_VALID = '+7 915 482-73-61';
/** Too long for Russia. */
const PHONE_BAD = '+7 (917) 306-50-82-94';

/** Every form in which a value could leak: as sent, digits only, and a phone's digits without its country code. */
const FORBIDDEN = [INN_VALID, INN_BAD, PHONE_VALID, PHONE_BAD].flatMap((value) => {
  const digits = value.replace(/\D/g, '');
  return value.startsWith('+7') ? [value, digits, digits.slice(1)] : [value, digits];
});

const CSV_HEADER = 'customerRef,country,organizationRegistrationNumber,phoneNumber,companyName';
const customersCsv = [
  CSV_HEADER,
  `C-1,RU,${INN_VALID},${PHONE_VALID},Valid LLC`,
  `C-2,RU,${INN_BAD},${PHONE_BAD},Broken LLC`,
  `C-3,KZ,${INN_BAD},${PHONE_VALID},Wrong Country LLP`,
].join('\n');
/** A stray quote in the third line: the file cannot be read as CSV at all. */
const strayQuoteCsv = [CSV_HEADER, `C-1,RU,${INN_VALID},${PHONE_VALID},Fine`, `C-2,RU,"${INN_BAD},${PHONE_BAD},x`].join(
  '\n',
);
const customersJsonl = [
  { ref: 'J-1', country: 'RU', organizationRegistrationNumber: INN_BAD, phoneNumber: PHONE_VALID },
  { ref: 'J-2', country: 'RU', organizationRegistrationNumber: INN_VALID, phoneNumber: PHONE_BAD },
  { ref: 'J-3', country: 'RU', organizationRegistrationNumber: Number(INN_VALID), phoneNumber: [PHONE_BAD] },
]
  .map((record) => JSON.stringify(record))
  .join('\n')
  .concat(`\n{"ref":"J-4","organizationRegistrationNumber":"${INN_VALID}",`);

/** A price sheet with customer data in it: the row fails, and so does the run (too many rejected rows). */
const priceSheet = sheetCsv([
  consumptionRow(),
  consumptionRow({ UnitPrice: PHONE_VALID, SkuDescription: `INN ${INN_VALID}`, MeterIds: INN_BAD }),
]);

const KEY = 'pii-test-function-key';
const REPO = path.join(__dirname, '..', '..');

/** The forbidden values a text contains (test data, so a failure may show them). */
function leaks(text: string): string[] {
  return FORBIDDEN.filter((value) => text.includes(value));
}

describe('personal data in logs, errors and the ledger', () => {
  const settings = testSettings({ LOCAL_FUNCTION_KEY: KEY });
  const storage = createStorageClients(settings);
  const customers = uploadContainers(storage, 'customerUploads');
  const prices = uploadContainers(storage, 'priceUploads');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pii-'));
  /** Everything kept or printed, labelled by where it came from. */
  const scanned: { where: string; text: string }[] = [];
  const logLines: string[] = [];
  let runner: Runner;

  beforeAll(async () => {
    // The runner's upload (queue) functions build their storage from the environment (runtime/services).
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    runner = await startTestRunner({
      pollBlobs: true,
      settings,
      storage,
      functionKey: KEY,
      log: (line) => logLines.push(line),
    });
  });
  afterAll(async () => {
    await runner?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('validates over HTTP: only the normalized values of the verdict come back, nothing else quotes them', async () => {
    const post = (body: string, key = KEY) =>
      fetch(`${runner.url}/api/customers/validate`, { method: 'POST', headers: { 'x-functions-key': key }, body });
    const bodies = [
      { country: 'RU', organizationRegistrationNumber: INN_VALID, phoneNumber: PHONE_VALID, companyName: 'Valid' },
      { country: 'RU', organizationRegistrationNumber: INN_BAD, phoneNumber: PHONE_BAD, companyName: 'Bad' },
      { country: 'KZ', organizationRegistrationNumber: INN_VALID, phoneNumber: PHONE_VALID },
      { country: 'RU', organizationRegistrationNumber: Number(INN_VALID), phoneNumber: [PHONE_VALID] },
      {
        companyProfile: { companyName: 'Nested', address: { country: 'RU', phoneNumber: PHONE_BAD } },
        billingProfile: { organizationRegistrationNumber: INN_BAD },
      },
    ];
    for (const body of bodies) {
      const response = await post(JSON.stringify(body));
      expect(response.status).toBe(200);
      const { normalized, ...verdict } = (await response.json()) as { normalized: unknown };
      expect(normalized).toBeDefined();
      scanned.push({ where: `HTTP verdict for ${JSON.stringify(body)}`, text: JSON.stringify(verdict) });
    }
    const refusals = [
      await post(`{"organizationRegistrationNumber":"${INN_VALID}","phoneNumber":"${PHONE_VALID}"`),
      await post(JSON.stringify([INN_VALID, PHONE_BAD])),
      await post(JSON.stringify({ organizationRegistrationNumber: INN_VALID }), 'wrong-key'),
      await post(JSON.stringify({ phoneNumber: PHONE_VALID, padding: 'x'.repeat(70 * 1024) })),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 401, 413]);
    for (const response of refusals) scanned.push({ where: `HTTP ${response.status}`, text: await response.text() });
  });

  it('validates through the MCP tool: its results and errors quote none of the values', async () => {
    const client = new Client({ name: 'pii-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${runner.url}${MCP_PATH}`), {
        requestInit: { headers: { 'x-functions-key': KEY } },
      }),
    );
    try {
      const calls = [
        { country: 'RU', organizationRegistrationNumber: INN_VALID, phoneNumber: PHONE_VALID, firstName: 'Valid' },
        { country: 'RU', organizationRegistrationNumber: INN_BAD, phoneNumber: PHONE_BAD },
        { country: 'KZ', organizationRegistrationNumber: INN_VALID, phoneNumber: PHONE_VALID },
        { country: 'RU', organizationRegistrationNumber: Number(INN_VALID), phoneNumber: PHONE_VALID },
        { country: 'RU', phoneNumber: PHONE_BAD, companyProfile: { organizationRegistrationNumber: INN_BAD } },
      ];
      const results = [];
      for (const args of calls) results.push(await client.callTool({ name: 'validate_customer', arguments: args }));
      expect(results.map((result) => result.isError ?? false)).toEqual([false, false, false, true, true]);
      for (const [i, result] of results.entries())
        scanned.push({ where: `MCP result for ${JSON.stringify(calls[i])}`, text: JSON.stringify(result) });
    } finally {
      await client.close();
    }
  });

  it('handles customer files and a misdropped one in the price uploads, quoting none of their values', async () => {
    await customers.drop('pii/customers.csv', customersCsv);
    await customers.drop('pii/stray-quote.csv', strayQuoteCsv);
    await customers.drop('pii/customers.jsonl', customersJsonl);
    await prices.drop('US/2026-11-05/customers.csv', customersCsv);
    await prices.drop('US/2026-11-06/sheet.csv', priceSheet);
    // The runner polls the upload containers; every file ends with a report.json, processed or quarantined.
    const handled = async () => {
      const reports = [
        ...(await customers.list('processed')),
        ...(await customers.list('quarantine')),
        ...(await prices.list('processed')),
        ...(await prices.list('quarantine')),
      ].filter((name) => name.endsWith('.report.json'));
      return reports.length;
    };
    const deadline = Date.now() + 20000;
    while ((await handled()) < 5 && Date.now() < deadline) await sleep(250);
    expect(await handled()).toBe(5);
    expect(await customers.list('quarantine')).toContain('pii/stray-quote.csv.report.json');

    for (const uploads of [storage.names.containers.customerUploads, storage.names.containers.priceUploads]) {
      for (const container of [processedContainer(uploads), quarantineContainer(uploads)]) {
        const client = storage.blobs.getContainerClient(container);
        for await (const blob of client.listBlobsFlat()) {
          if (!blob.name.endsWith('.report.json')) continue;
          const text = (await client.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
          scanned.push({ where: `${container}/${blob.name}`, text });
        }
      }
    }
  });

  it('validates a file with the CLI: stdout, stderr and the summary file quote no value', async () => {
    const run = async (file: string) => {
      const result = await promisify(execFile)(
        process.execPath,
        [
          '-r',
          path.join(REPO, 'test/helpers/tsRegister.js'),
          path.join(REPO, 'cli/main.ts'),
          'validate',
          file,
          '--json',
        ],
        { cwd: REPO },
      ).catch((e: { stdout: string; stderr: string; code: number }) => e);
      scanned.push({ where: `cli validate ${path.basename(file)}`, text: `${result.stdout}\n${result.stderr}` });
      return JSON.parse(result.stdout.trim().split('\n').pop() as string) as { ok: boolean };
    };
    const files = {
      'customers.csv': customersCsv,
      'customers.jsonl': customersJsonl,
      'stray-quote.csv': strayQuoteCsv,
    };
    // In parallel: each child compiles the CLI's TypeScript on start, which takes seconds.
    const summaries = await Promise.all(
      Object.entries(files).map(([name, content]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        return run(file);
      }),
    );
    for (const summary of summaries) expect(summary).toMatchObject({ ok: false });
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.summary.json')))
      scanned.push({ where: name, text: fs.readFileSync(path.join(dir, name), 'utf8') });
  });

  it('found none of the values in any log line, error text, report summary or table entity', async () => {
    scanned.push(...logLines.map((line) => ({ where: 'log line', text: line })));
    // The rejected-rows reports too: price rows are judged on price columns, whatever else a row holds.
    const reports = storage.blobs.getContainerClient(storage.names.containers.reports);
    for await (const blob of reports.listBlobsFlat()) {
      const text = (await reports.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      scanned.push({ where: `${reports.containerName}/${blob.name}`, text });
    }
    for (const table of Object.values(storage.names.tables)) {
      const entities: unknown[] = [];
      for await (const entity of storage.table(table).listEntities()) entities.push(entity);
      scanned.push({ where: `table ${table}`, text: JSON.stringify(entities) });
    }
    // The scan saw the paths run: log lines of each function, the ledger entry of the failed price upload.
    expect(logLines.some((l) => l.includes('customer validated'))).toBe(true);
    expect(logLines.some((l) => l.startsWith('[customerUploads]'))).toBe(true);
    expect(scanned.find((s) => s.where === `table ${storage.names.tables.runs}`)?.text).toMatch(/"outcome":"failed"/);
    expect(scanned.some((s) => s.where.endsWith('.rejected.csv'))).toBe(true);

    const found = scanned.map(({ where, text }) => ({ where, leaked: leaks(text) })).filter((s) => s.leaked.length);
    expect(found).toEqual([]);
  });
});
