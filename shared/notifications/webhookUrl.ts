import type { Settings } from '../config/settings';

/**
 * Where webhooks may point. In Azure only https (a plain-http URL would carry the signed events in
 * clear); locally, with NOTIFY_ALLOW_LOOPBACK_HTTP=true, also http to this machine, where the test
 * receivers and a developer's own listener run. Checked when a subscription is saved and again
 * before every attempt (the setting may have changed since).
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why the URL may not be used, or null when it may. */
export function webhookUrlProblem(url: string, settings: Pick<Settings, 'NOTIFY_ALLOW_LOOPBACK_HTTP'>): string | null {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) {
    return settings.NOTIFY_ALLOW_LOOPBACK_HTTP
      ? null
      : 'http is allowed only to this machine and only with NOTIFY_ALLOW_LOOPBACK_HTTP=true; use https';
  }
  return 'must be an https URL';
}
