import { subscriptionsCommand } from '../../../cli/commands/subscriptions';
import { consoleIO } from '../../../cli/io';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { runNotifications } from '../../../shared/notifications/worker';
import { ingestSheet } from '../../helpers/apiFixtures';
import { captureOutput, jsonSummary } from '../../helpers/cli';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { testStorage } from '../../helpers/storage';
import { startWebhookReceiver } from '../../fakes/webhookReceiver';

describe('npm run cli -- subscriptions', () => {
  const { settings, storage } = testStorage({ NOTIFY_ALLOW_LOOPBACK_HTTP: 'true', NOTIFY_MAX_ATTEMPTS: '1' });
  const cli = (positionals: string[], values: Record<string, string | boolean> = {}) =>
    captureOutput(() =>
      subscriptionsCommand.run(
        { values: { json: true, ...values }, positionals },
        { io: consoleIO(true), openStorage: async () => ({ settings, storage }) },
      ),
    );

  it('creates (secret printed once), lists without the secret, shows dead letters, redelivers and deletes', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const created = await cli(['create'], {
        name: 'cli',
        webhook: `${receiver.url}/hook`,
        market: 'US',
        code: 'ADD,DEL',
      });
      expect(created.code).toBe(0);
      const { subscription, secret } = jsonSummary(created.stdout) as { subscription: { id: string }; secret: string };
      expect(secret).toMatch(/^whsec_/);
      expect(subscription).toMatchObject({ name: 'cli', filters: { markets: ['US'], codes: ['ADD', 'DEL'] } });

      const listed = await cli(['list']);
      expect(jsonSummary(listed.stdout)).toMatchObject({ subscriptions: [{ id: subscription.id }] });
      expect(listed.stdout + listed.stderr).not.toContain(secret);

      const ctx = { storage, settings, logger: createLogger(memorySink()) };
      const row = (n: number) => consumptionRow({ ProductId: 'CLISUBSCRIBE', MeterIds: meterId(0x16500 + n) });
      await ingestSheet(storage, settings, [row(0)], { asOf: '2026-11-01' });
      await runNotifications(ctx);
      receiver.inject({ kind: 'status', status: 500 });
      await ingestSheet(storage, settings, [row(0), row(1)], { asOf: '2026-11-02' });
      await runNotifications(ctx, { drainSeconds: 0 });

      const dead = await cli(['events', subscription.id], { state: 'dead' });
      const { events } = jsonSummary(dead.stdout) as { events: { rowKey: string; lastError: string }[] };
      expect(events).toHaveLength(1);
      expect(dead.stderr).toContain('answered HTTP 500');
      expect((await cli(['redeliver', subscription.id, events[0].rowKey])).code).toBe(0);
      await runNotifications(ctx, { drainSeconds: 0 });
      expect(receiver.accepted).toHaveLength(1);

      expect((await cli(['delete', subscription.id])).code).toBe(0);
      expect((await cli(['delete', subscription.id])).code).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('refuses bad options naming the option as typed', async () => {
    const error = (values: Record<string, string | boolean>) =>
      subscriptionsCommand
        .run(
          { values, positionals: ['create'] },
          { io: consoleIO(true), openStorage: async () => ({ settings, storage }) },
        )
        .catch((e: Error) => e.message);
    const base = { name: 'x', webhook: 'https://example.com/hook' };
    expect(await error({ ...base, code: 'ADD,NEW' })).toBe('--code: one of ADD, CHG, DEL, UNC');
    expect(await error({ ...base, market: 'us' })).toBe('--market: a two-letter market code such as US');
    expect(await error({ ...base, 'min-change': 'five' })).toBe(
      '--min-change: a decimal number of percent such as "5" or "2.5", as a string',
    );
    expect(await error({ ...base, webhook: 'http://example.com/hook' })).toBe('--webhook: must be an https URL');
    expect(await error({ name: 'x' })).toBe('--webhook: an absolute http(s) URL');
  });
});
