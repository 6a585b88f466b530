import { timerFunction } from '../runtime/registry';

/** Daily: yesterday's (UTC) digest of every subscription that asks for one, stored and put in the outbox. */
timerFunction('sendDigests', 'NOTIFY_DIGEST_SCHEDULE', async () => {
  const { digestDay, sendDigests } = await import('../shared/notifications/digestStore');
  return async (_timer, { storage, settings, logger }) => {
    await sendDigests({ storage, settings, logger }, digestDay());
  };
});
