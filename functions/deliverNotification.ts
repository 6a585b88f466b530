import { queueFunction } from '../runtime/registry';

/**
 * One notification event (a `notifications` message, `{ id }`): one delivery attempt when it is due;
 * a retry goes back on the queue, delayed until due. Throws only when storage fails (redelivery).
 */
queueFunction('deliverNotification', { queue: 'notifications' }, async () => {
  const { runNotificationMessage } = await import('../shared/notifications/delivery');
  return (message, { storage, settings, logger }) => runNotificationMessage({ storage, settings, logger }, message);
});
