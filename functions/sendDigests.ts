import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { digestDay, sendDigests } from '../shared/notifications/digestStore';

/** Daily: yesterday's (UTC) digest of every subscription that asks for one, stored and put in the outbox. */
export async function sendDigestsHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await sendDigests({ storage, settings, logger: invocationLogger(context) }, digestDay());
}

timerFunction('sendDigests', 'NOTIFY_DIGEST_SCHEDULE', { handler: sendDigestsHandler });
