import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, startAzurite } from '../runtime/azurite';
import { loadSettings } from '../shared/config/settings';
import { createLogger } from '../shared/observability/logger';
import { createSubscription } from '../shared/notifications/subscriptionStore';
import { runNotifications } from '../shared/notifications/worker';
import { createStorageClients } from '../shared/storage/clients';
import { startWebhookReceiverForBench } from './webhookReceiver';
import { ingestBenchSheet, silent } from './marketData';
import { writeSyntheticSheet } from './syntheticSheet';

/**
 * Notification benchmark in a private Azurite: a small sheet as of one day, then the same catalogue
 * grown by 200,000 prices (--rows) the next day — a change set of that many ADD — with one webhook
 * subscription to a receiver on 127.0.0.1. Measures the worker from the commit: fan-out (comparing
 * the snapshots, writing the outbox), delivery (events/s and prices/s), and the delay from the
 * commit to the first delivery.
 */

const BASE_ROWS = 1000;

export async function runNotifyBench(options: { rows?: number } = {}): Promise<Record<string, unknown>> {
  const changes = options.rows ?? 200_000;
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'notify-bench-'));
  const azurite = await startAzurite({
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
  });
  const receiver = await startWebhookReceiverForBench();
  try {
    const settings = loadSettings({
      AzureWebJobsStorage: azurite.connectionString,
      STORAGE_NAME_PREFIX: 'bench',
      NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
    });
    const storage = createStorageClients(settings);
    const ctx = { storage, settings, logger: createLogger(silent) };
    const base = path.join(tmp, 'base.csv');
    const grown = path.join(tmp, 'grown.csv');
    // The same seed: the grown sheet starts with the base sheet's rows, so the change is ADD only.
    await writeSyntheticSheet(base, { rows: BASE_ROWS, seed: 7 });
    await writeSyntheticSheet(grown, { rows: BASE_ROWS + changes, seed: 7 });
    await ingestBenchSheet(ctx, settings, base, '2026-11-01');
    await runNotifications(ctx);
    await createSubscription(storage, {
      name: 'bench',
      destination: { kind: 'webhook', url: `${receiver.url}/hook` },
      filters: {},
    });

    const ingestStart = performance.now();
    await ingestBenchSheet(ctx, settings, grown, '2026-11-02');
    const committed = performance.now();
    const result = await runNotifications(ctx, { drainSeconds: 60 });
    const done = performance.now();
    const seconds = (ms: number) => Math.round(ms / 10) / 100;
    const deliverySeconds = (receiver.last() - receiver.first()) / 1000;
    return {
      changeSet: { ADD: changes },
      batchSize: settings.NOTIFY_BATCH_SIZE,
      ingestSeconds: seconds(committed - ingestStart),
      events: result.events,
      delivered: receiver.count(),
      prices: receiver.items(),
      fanOutAndDeliverySeconds: seconds(done - committed),
      commitToFirstDeliverySeconds: seconds(receiver.first() - committed),
      deliveryEventsPerSecond: Math.round(receiver.count() / Math.max(deliverySeconds, 0.001)),
      deliveryPricesPerSecond: Math.round(receiver.items() / Math.max(deliverySeconds, 0.001)),
      endToEndPricesPerSecond: Math.round(receiver.items() / ((done - committed) / 1000)),
      receiver: 'node:http on 127.0.0.1, answers 204 at once',
    };
  } finally {
    await receiver.close();
    await azurite.stop();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
