import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { hostJsonPath, hostQueueOptions } from '../../runtime/queueRunner';
import { recentRuns, type RunRecord } from '../../shared/runs/ledger';
import { createStorageClients } from '../../shared/storage/clients';
import { ensureStorage } from '../../shared/storage/ensure';
import { encodeMessage, queueClient } from '../../shared/storage/queues';
import { testSettings } from '../helpers/storage';
import { uploadContainers } from '../helpers/uploads';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';
import { blobCreatedEvent } from '../../shared/uploads';

/**
 * The queue-triggered functions under the local runner, on the suite's Azurite queue service: the
 * refresh timer plans one message per market × view, workers run them, a market that always fails ends
 * in the poison queue and the ledger while the others succeed, a message delivered twice has one effect,
 * a malformed message is refused naming its field, and an upload goes through its BlobCreated message.
 */

// The sample source covers US only: DE fails every delivery (a SourceError, not the file's fault).
const settings = testSettings({
  PRICES_SOURCE: 'sample',
  PRICES_MARKETS: 'US,DE',
  PRICES_VIEWS: 'azure_consumption,azure_reservations',
});
const storage = createStorageClients(settings);
const MAX_DEQUEUE = 2;
let runner: Runner;
const logLines: string[] = [];

beforeAll(async () => {
  for (const name of ['AzureWebJobsStorage', 'STORAGE_NAME_PREFIX', 'PRICES_SOURCE', 'PRICES_MARKETS', 'PRICES_VIEWS'])
    process.env[name] = String((settings as Record<string, unknown>)[name]);
  await ensureStorage(storage);
  runner = await startTestRunner({
    settings,
    storage,
    queueOptions: { maxDequeueCount: MAX_DEQUEUE, visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, leaseSeconds: 10 },
    log: (line) => logLines.push(line),
  });
});
afterAll(() => runner.close());

const admin = (name: string, body: unknown) =>
  fetch(`${runner.url}/admin/functions/${name}`, { method: 'POST', body: JSON.stringify(body) });

/** Polls the ledger until `done` holds for its runs (newest first). */
async function ledgerUntil(done: (runs: RunRecord[]) => boolean, timeoutMs = 45_000): Promise<RunRecord[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const runs = await recentRuns(storage, 200);
    if (done(runs)) return runs;
    if (Date.now() > until) throw new Error(`ledger not as expected in time; runs: ${JSON.stringify(runs, null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function queueLength(queue: Parameters<typeof queueClient>[1], poison = false): Promise<number> {
  const properties = await queueClient(storage, queue, poison).getProperties();
  return properties.approximateMessagesCount ?? 0;
}

const message = (overrides: Record<string, string> = {}) => ({
  planId: 'plan-redelivery',
  market: 'US',
  view: 'azure_reservations',
  timeline: 'current',
  asOf: '2026-11-01',
  source: 'sample',
  ...overrides,
});

it('runs the same message twice with one effect: the second delivery writes nothing', async () => {
  const queue = queueClient(storage, 'priceRefresh');
  await queue.sendMessage(encodeMessage(message()));
  await queue.sendMessage(encodeMessage(message()));
  const runs = await ledgerUntil(
    (all) => all.filter((r) => r.view === 'azure_reservations' && r.asOf === '2026-11-01').length === 2,
  );
  // The two deliveries may run side by side (one batch): the lock orders them, and whichever ran second
  // found the first one's snapshot.
  const [first, second] = runs
    .filter((r) => r.view === 'azure_reservations' && r.asOf === '2026-11-01')
    .sort((a, b) => b.counts.added - a.counts.added);
  expect(first).toMatchObject({ outcome: 'succeeded', market: 'US' });
  expect(first.counts.added).toBeGreaterThan(0);
  expect(second).toMatchObject({ outcome: 'succeeded' });
  expect(second.counts).toMatchObject({ added: 0, changed: 0, removed: 0, entitiesWritten: 0 });
  expect(second.counts.unchanged).toBe(first.counts.added);
});

it('fans the timer out: one message per market × view; DE fails into the poison queue and the ledger, US succeeds', async () => {
  const before = (await recentRuns(storage, 200)).length;
  const response = await admin('refreshPrices', {});
  expect(response.status).toBe(202);
  const today = new Date().toISOString().slice(0, 10);
  const runs = await ledgerUntil((all) => {
    const planned = all.slice(0, all.length - before).filter((r) => r.asOf === today);
    return planned.filter((r) => r.error?.startsWith('gave up')).length === 2 && planned.length >= 2 + 2 * 3;
  });
  const planned = runs.slice(0, runs.length - before).filter((r) => r.asOf === today);
  const us = planned.filter((r) => r.market === 'US');
  expect(us.map((r) => `${r.view}:${r.outcome}`).sort()).toEqual([
    'azure_consumption:succeeded',
    'azure_reservations:succeeded',
  ]);
  const de = planned.filter((r) => r.market === 'DE');
  // Each DE message: MAX_DEQUEUE failed deliveries through the pipeline, then the poison function's record.
  for (const view of ['azure_consumption', 'azure_reservations']) {
    const ofView = de.filter((r) => r.view === view);
    expect(ofView.map((r) => r.outcome)).toEqual(Array(MAX_DEQUEUE + 1).fill('failed'));
    expect(ofView[0].error).toMatch(
      /^gave up: the queued run failed maxDequeueCount deliveries and was moved to .*price-refresh-poison/,
    );
    expect(ofView[1].error).toMatch(/no sample data for DE/);
  }
  // The last records are written just before their messages are deleted.
  const until = Date.now() + 10_000;
  while ((await queueLength('priceRefresh')) + (await queueLength('priceRefresh', true)) > 0 && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await queueLength('priceRefresh')).toBe(0);
  expect(await queueLength('priceRefresh', true)).toBe(0);
});

it('refuses a malformed message naming the field as sent, and records it once it is poisoned', async () => {
  await queueClient(storage, 'priceRefresh').sendMessage(encodeMessage(message({ market: 'usa', asOf: '2026-13-01' })));
  const runs = await ledgerUntil((all) => all.some((r) => r.error?.includes('"usa"')));
  const poisoned = runs.find((r) => r.error?.includes('"usa"'))!;
  expect(poisoned).toMatchObject({ outcome: 'failed', kind: 'refresh', view: 'azure_reservations' });
  expect(poisoned.error).toContain('market: a two-letter market code such as US (got "usa")');
  expect(poisoned.error).toContain('asOf: a day YYYY-MM-DD (got "2026-13-01")');
  expect(logLines.some((l) => l.includes(`failed (delivery ${MAX_DEQUEUE})`) && l.includes('"usa"'))).toBe(true);
});

it('handles an upload through the BlobCreated message the admin endpoint enqueues for it', async () => {
  const { areas } = uploadContainers(storage, 'customerUploads');
  const name = 'customers.jsonl';
  const body = `${JSON.stringify({ country: 'KZ', organizationRegistrationNumber: '940140000385' })}\n`;
  await areas.uploads.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
  expect((await admin('customerUploads', { input: name })).status).toBe(202);
  const until = Date.now() + 30_000;
  while (!(await areas.processed.getBlobClient(`${name}.report.json`).exists())) {
    if (Date.now() > until) throw new Error(`not processed: ${logLines.slice(-5).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(await areas.uploads.getBlobClient(name).exists()).toBe(false);
});

it('runs a queued exchange-rate refresh through the rate worker', async () => {
  await queueClient(storage, 'rateRefresh').sendMessage(
    encodeMessage({ planId: 'plan-rates', asOf: '2026-11-01', source: 'sample' }),
  );
  const runs = await ledgerUntil((all) => all.some((r) => r.view === 'fxrates' && r.asOf === '2026-11-01'));
  expect(runs.find((r) => r.view === 'fxrates')).toMatchObject({
    kind: 'refresh',
    outcome: 'succeeded',
    source: 'sample',
  });
});

/** The BlobCreated event Event Grid would write for a blob of the price upload container. */
async function priceUploadEvent(name: string): Promise<Record<string, unknown>> {
  const { areas } = uploadContainers(storage, 'priceUploads');
  const blob = areas.uploads.getBlobClient(name);
  const properties = await blob.getProperties();
  return blobCreatedEvent({ url: blob.url, container: areas.uploads.containerName, name, etag: properties.etag ?? '' });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${logLines.slice(-5).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// FR: the fan-out above stored today's US sheets, which a one-row US upload would mostly remove.
it('handles the same upload event delivered twice once', async () => {
  const uploads = uploadContainers(storage, 'priceUploads');
  const name = 'twice/sheet.csv';
  await uploads.drop(name, sheetCsv([consumptionRow({ MeterIds: meterId(61_001), Market: 'FR' })]));
  const message = encodeMessage(await priceUploadEvent(name));
  const queue = queueClient(storage, 'priceUploadEvents');
  await queue.sendMessage(message);
  await queue.sendMessage(message);
  // Each delivery ends in a run in the ledger or, when the upload is gone already, in a log line.
  const runsOf = async () => (await recentRuns(storage, 200)).filter((r) => r.source.includes(name));
  const handledAgain = () => logLines.filter((l) => l.includes('price upload already handled')).length;
  // (A pipeline run is in the ledger before its upload is placed; a placed upload logs PriceUploadHandled.)
  const placed = () => logLines.filter((l) => l.includes('PriceUploadHandled') && l.includes(name)).length;
  await until('both deliveries', async () => (await runsOf()).length + handledAgain() === 2 && placed() > 0);
  expect(await uploads.list('processed')).toEqual([name, `${name}.report.json`]);
  expect(await uploads.list('uploads')).toEqual([]);
  // The two deliveries may run at once (one batch): then both reach the pipeline, under its lock, and the
  // later one finds the sheet stored and writes nothing; run one after the other, the later finds the upload gone.
  const runs = await runsOf();
  expect(runs.filter((r) => r.counts.entitiesWritten > 0).map((r) => [r.kind, r.outcome, r.counts.added])).toEqual([
    ['upload', 'succeeded', 1],
  ]);
  expect(runs.every((r) => r.outcome === 'succeeded')).toBe(true);
});

it('quarantines an upload whose event reached the poison queue, with its last error', async () => {
  const uploads = uploadContainers(storage, 'priceUploads');
  const name = 'poisoned/sheet.csv';
  await uploads.drop(name, sheetCsv([consumptionRow({ MeterIds: meterId(61_002), Market: 'FR' })]));
  // What the host does after maxDequeueCount failed deliveries: the event, as it was, on the poison queue.
  await queueClient(storage, 'priceUploadEvents', true).sendMessage(encodeMessage(await priceUploadEvent(name)));
  await until('the quarantine report', () => uploads.areas.quarantine.getBlobClient(`${name}.report.json`).exists());
  const report = JSON.parse(await uploads.text('quarantine', `${name}.report.json`)) as {
    status: string;
    reason: string;
  };
  expect(report.status).toBe('quarantined');
  expect(report.reason).toMatch(/^refused unread: /);
  expect(await uploads.list('uploads')).toEqual([]);
});

describe("the runner's queue settings", () => {
  it('are host.json extensions.queues, overridden by the app settings the host also reads', () => {
    expect(hostQueueOptions(hostJsonPath(), {})).toEqual({
      batchSize: 2,
      newBatchThreshold: 1,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 30_000,
      maxPollingIntervalMs: 2_000,
      leaseSeconds: 600,
    });
    const env = {
      AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '3',
      AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:01',
    };
    expect(hostQueueOptions(hostJsonPath(), env)).toMatchObject({ maxDequeueCount: 3, visibilityTimeoutMs: 1000 });
  });

  it('refuses a malformed override, naming it', () => {
    const env = { AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '30s' };
    expect(() => hostQueueOptions(hostJsonPath(), env)).toThrow(
      'host.json extensions.queues.visibilityTimeout: expected hh:mm:ss, got "30s"',
    );
  });
});
