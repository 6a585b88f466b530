import { spawn } from 'node:child_process';
import path from 'node:path';
import { recentRuns } from '../../shared/runs/ledger';
import { createStorageClients } from '../../shared/storage/clients';
import { ensureStorage } from '../../shared/storage/ensure';
import { encodeMessage, queueClient } from '../../shared/storage/queues';
import { priceSheetPath, startPartnerCenterFake, type PartnerCenterFake } from '../fakes/partnerCenterFake';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';
import { testSettings } from '../helpers/storage';

/**
 * A queue worker killed (SIGKILL) while it runs a price-refresh message — its download hanging at Partner
 * Center — leaves the message invisible until its lease lapses; then another worker receives it (dequeue
 * count 2) and completes it. Lease 3 s, so the test does not wait the host's 10 minutes.
 */

const LEASE_SECONDS = 3;
let fake: PartnerCenterFake;

beforeAll(async () => {
  fake = await startPartnerCenterFake();
});
afterAll(() => fake.close());

function worker(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(__dirname, '..', 'helpers', 'tsRegister.js'),
      path.join(__dirname, '..', 'helpers', 'queueWorkerProcess.ts'),
      String(LEASE_SECONDS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, exited, output: () => output };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('delivers the message of a worker killed mid-message again once its lease lapses, and it completes', async () => {
  const settings = testSettings({ ...fake.settings });
  const storage = createStorageClients(settings);
  await ensureStorage(storage);
  fake.setFile(priceSheetPath('US', 'azure_consumption'), sheetCsv([consumptionRow({ MeterIds: meterId(77_001) })]));
  fake.inject({ kind: 'hang' }, { path: 'pricesheets' });
  const env = {
    ...fake.settings,
    AzureWebJobsStorage: settings.AzureWebJobsStorage as string,
    STORAGE_NAME_PREFIX: settings.STORAGE_NAME_PREFIX,
    PRICES_SOURCE: 'partnercenter',
    // The hung download must outlive the worker, not time out first.
    HTTP_TIMEOUT_SECONDS: '600',
    REFRESH_LOCK_WAIT_SECONDS: '60',
  };
  const queue = queueClient(storage, 'priceRefresh');
  const asOf = new Date().toISOString().slice(0, 10);
  const job = { planId: 'plan-killed', market: 'US', view: 'azure_consumption', timeline: 'current', asOf };
  await queue.sendMessage(encodeMessage({ ...job, source: 'partnercenter' }));

  const first = worker(env);
  const downloads = () => fake.requests.filter((r) => r.path.includes('pricesheets')).length;
  await until('the first worker to start the download', () => downloads() === 1);
  first.child.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');

  // Still there, invisible: no worker can take it before the lease lapses.
  expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
  expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
  expect(await recentRuns(storage, 10)).toEqual([]);

  const second = worker(env);
  try {
    await until('the second worker to complete the run', async () =>
      (await recentRuns(storage, 10)).some((r) => r.outcome === 'succeeded'),
    );
    const runs = await recentRuns(storage, 10);
    expect(runs).toHaveLength(1);
    const { planId: _plan, ...identity } = job;
    expect(runs[0]).toMatchObject({ ...identity, source: 'partnercenter', outcome: 'succeeded', counts: { added: 1 } });
    expect(downloads()).toBe(2);
    await until('the message to be deleted', async () => (await queue.getProperties()).approximateMessagesCount === 0);
    expect(second.output()).not.toMatch(/failed \(delivery/);
  } finally {
    second.child.kill('SIGKILL');
    await second.exited;
  }
}, 90_000);
