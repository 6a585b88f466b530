import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { runNotifications } from '../shared/notifications/worker';

/** Fans out the price snapshots committed since the last run to the subscriptions, then delivers what is due. */
export async function deliverNotificationsHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await runNotifications({ storage, settings, logger: invocationLogger(context) });
}

timerFunction('deliverNotifications', 'NOTIFY_SCHEDULE', { handler: deliverNotificationsHandler });
