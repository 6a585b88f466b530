import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { runNotifications, SWEEP_GRACE_SECONDS } from '../shared/notifications/worker';

/**
 * Fans out the price snapshots committed since the last run to the subscriptions (each event's
 * delivery goes on the `notifications` queue), then sweeps: delivers the events overdue by
 * SWEEP_GRACE_SECONDS, whose queue message was lost.
 */
export async function deliverNotificationsHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await runNotifications(
    { storage, settings, logger: invocationLogger(context) },
    { graceSeconds: SWEEP_GRACE_SECONDS },
  );
}

timerFunction('deliverNotifications', 'NOTIFY_SCHEDULE', { handler: deliverNotificationsHandler });
