import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { runNotificationMessage } from '../shared/notifications/delivery';

/**
 * One notification event (a `notifications` message, `{ id }`): one delivery attempt when it is due;
 * a retry goes back on the queue, delayed until due. Throws only when storage fails (redelivery).
 */
export async function deliverNotificationHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await runNotificationMessage({ storage, settings, logger: invocationLogger(context) }, message);
}

queueFunction('deliverNotification', 'notifications', deliverNotificationHandler);
