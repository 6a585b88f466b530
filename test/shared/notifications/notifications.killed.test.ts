import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Settings } from '../../../shared/config/settings';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { listEvents } from '../../../shared/notifications/outbox';
import { createSubscription } from '../../../shared/notifications/subscriptionStore';
import { runNotifications } from '../../../shared/notifications/worker';
import { ingestSheet } from '../../helpers/apiFixtures';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';
import { testStorage } from '../../helpers/storage';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhookReceiver';

jest.setTimeout(90_000);

const meter = (n: number) => meterId(0x16100 + n);
const day1 = Array.from({ length: 30 }, (_, i) =>
  consumptionRow({ ProductId: 'KILLED000001', MeterIds: meter(i), UnitPrice: `${i + 1}.000000` }),
);
/** Day 2: every price of day 1 raised (CHG 30), 10 new (ADD 10): with batches of 2, 20 events. */
const day2 = [
  ...day1.map((row, i) => ({ ...row, UnitPrice: `${i + 1}.500000` })),
  ...Array.from({ length: 10 }, (_, i) =>
    consumptionRow({ ProductId: 'KILLED000001', MeterIds: meter(100 + i), UnitPrice: '7' }),
  ),
];
const EXPECTED_EVENTS = 20;

/** The ingest of day 2 and the worker after it, in a child process; resolves lines it prints. */
function notifyChild(settings: Settings, mode: 'run' | 'pause') {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'notify-killed-')), 'day2.csv');
  fs.writeFileSync(file, sheetCsv(day2));
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(__dirname, '..', '..', 'helpers', 'tsRegister.js'),
      path.join(__dirname, '..', '..', 'helpers', 'notifyProcess.ts'),
      settings.AzureWebJobsStorage as string,
      settings.STORAGE_NAME_PREFIX,
      file,
      '2026-11-02',
      mode,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  const committed = new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'committed') resolve();
      else if (lines.length === 1) reject(new Error(`child: ${line}`));
    });
  });
  const exited = new Promise<string | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, committed, exited, lines };
}

async function setUp(receiver: WebhookReceiver) {
  const { settings, storage } = testStorage({ NOTIFY_ALLOW_LOOPBACK_HTTP: 'true', NOTIFY_BATCH_SIZE: '2' });
  const ctx = { storage, settings, logger: createLogger(memorySink()) };
  await ingestSheet(storage, settings, day1, { asOf: '2026-11-01' });
  await runNotifications(ctx);
  const { subscription } = await createSubscription(storage, {
    name: 'killed',
    destination: { kind: 'webhook', url: `${receiver.url}/hook` },
    filters: {},
  });
  return { ctx, subscription };
}

/** Every event arrived, each with one body whatever the number of copies, and together they hold every change. */
function expectEverythingOnce(receiver: WebhookReceiver) {
  expect(receiver.distinctIds().size).toBe(EXPECTED_EVENTS);
  const bodies = new Map<string, Set<string>>();
  for (const request of receiver.accepted) {
    const id = String(request.headers['webhook-id']);
    bodies.set(id, (bodies.get(id) ?? new Set()).add(request.body));
  }
  expect([...bodies.values()].every((set) => set.size === 1)).toBe(true);
  const items = [...bodies.values()].flatMap(
    (set) =>
      (JSON.parse([...set][0]) as { data: { items: { code: string; after: { meterId: string } }[] } }).data.items,
  );
  expect(
    items
      .filter((i) => i.code === 'CHG')
      .map((i) => i.after.meterId)
      .sort(),
  ).toEqual(day1.map((r) => r.MeterIds).sort());
  expect(items.filter((i) => i.code === 'ADD')).toHaveLength(10);
  expect(items).toHaveLength(40);
}

describe('a notification worker killed between the commit and the deliveries', () => {
  let receiver: WebhookReceiver;
  afterEach(() => receiver.close());

  it('loses nothing when killed right after the commit: the next worker sends every event', async () => {
    receiver = await startWebhookReceiver();
    const { ctx, subscription } = await setUp(receiver);
    const child = notifyChild(ctx.settings, 'pause');
    await child.committed;
    child.child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    expect(receiver.requests).toHaveLength(0);

    const result = await runNotifications(ctx, { lockWaitSeconds: 30, drainSeconds: 10 });
    expect(result).toMatchObject({ events: EXPECTED_EVENTS, delivered: EXPECTED_EVENTS });
    expect(receiver.accepted).toHaveLength(EXPECTED_EVENTS);
    expectEverythingOnce(receiver);
    const states = (await listEvents(ctx.storage, { subscriptionId: subscription.id })).map((e) => e.state);
    expect(states).toEqual(Array(EXPECTED_EVENTS).fill('delivered'));
  });

  it('doubles nothing when killed half-way through sending: the next worker sends the rest under the same ids', async () => {
    // A slow receiver: deliveries are in flight when the kill comes.
    receiver = await startWebhookReceiver(150);
    const { ctx } = await setUp(receiver);
    const child = notifyChild(ctx.settings, 'run');
    await child.committed;
    for (let i = 0; i < 400 && receiver.accepted.length < 5; i++) await new Promise((r) => setTimeout(r, 25));
    child.child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    const before = receiver.distinctIds().size;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(EXPECTED_EVENTS);

    // The killed worker's lease lapses within 15 s; the new one fans out nothing new and sends what is left.
    const result = await runNotifications(ctx, { lockWaitSeconds: 30, drainSeconds: 10 });
    expect(result.events).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expectEverythingOnce(receiver);
    // At least once: only what was in flight at the kill (at most the worker's 8 parallel sends) came twice.
    expect(receiver.accepted.length - EXPECTED_EVENTS).toBeLessThanOrEqual(8);
    expect(await runNotifications(ctx, { drainSeconds: 0 })).toMatchObject({ events: 0, delivered: 0 });
  });
});
