import { LockBusyError, withLock } from '../runs/lock';
import { deliverPending, type DeliveryStats } from './delivery';
import { fanOutCommitted, type NotifyContext } from './outbox';

/**
 * One run of the notification worker: fan out what was committed since the cursors, then deliver
 * what is due. One worker at a time (a blob lease, as refreshes use): two would fan out the same
 * snapshot and race on the same events. A run that finds the lease taken skips: the holder is
 * doing the work. A killed worker's lease lapses within 15 s.
 */

const LOCK_NAME = 'notifications/worker';

/**
 * How long past due a pending event waits for its queue message (deliverNotification) before the
 * timer's sweep delivers it: a message lost between the outbox write and the send, or never sent.
 */
export const SWEEP_GRACE_SECONDS = 120;

export interface WorkerResult extends DeliveryStats {
  skipped: boolean;
  steps: number;
  events: number;
}

export async function runNotifications(
  ctx: NotifyContext,
  options: { lockWaitSeconds?: number; drainSeconds?: number; graceSeconds?: number } = {},
): Promise<WorkerResult> {
  const drainMs = (options.drainSeconds ?? ctx.settings.NOTIFY_DRAIN_SECONDS) * 1000;
  try {
    return await withLock(ctx.storage, LOCK_NAME, options.lockWaitSeconds ?? 0, async () => {
      // Delivery runs beside the fan-out: the first events go out while the rest are being written.
      let fanningOut = true;
      const [fanOutOutcome, deliveryOutcome] = await Promise.allSettled([
        fanOutCommitted(ctx).finally(() => (fanningOut = false)),
        deliverPending(ctx, Date.now() + drainMs, () => fanningOut, (options.graceSeconds ?? 0) * 1000),
      ]);
      // Both have ended (nothing runs on without the lease); the first failure is the run's.
      if (fanOutOutcome.status === 'rejected') throw fanOutOutcome.reason;
      if (deliveryOutcome.status === 'rejected') throw deliveryOutcome.reason;
      const [fanOut, delivery] = [fanOutOutcome.value, deliveryOutcome.value];
      const result = { skipped: false, ...fanOut, ...delivery };
      if (fanOut.events + delivery.delivered + delivery.failed + delivery.deadLettered + delivery.cancelled > 0)
        ctx.logger.event('notifications', { ...result });
      return result;
    });
  } catch (e) {
    if (!(e instanceof LockBusyError)) throw e;
    ctx.logger.info('another notification worker is running; this run skips');
    return { skipped: true, steps: 0, events: 0, delivered: 0, failed: 0, deadLettered: 0, cancelled: 0 };
  }
}
