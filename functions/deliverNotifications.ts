import { timerFunction } from '../runtime/registry';

/**
 * Fans out the price snapshots committed since the last run to the subscriptions (each event's
 * delivery goes on the `notifications` queue), then sweeps: delivers the events overdue by
 * SWEEP_GRACE_SECONDS, whose queue message was lost.
 */
timerFunction('deliverNotifications', 'NOTIFY_SCHEDULE', async () => {
  const { runNotifications, SWEEP_GRACE_SECONDS } = await import('../shared/notifications/worker');
  return async (_timer, { storage, settings, logger }) => {
    await runNotifications({ storage, settings, logger }, { graceSeconds: SWEEP_GRACE_SECONDS });
  };
});
