import type { Readable } from 'node:stream';
import { loadSettings, type Settings } from '../../shared/config/settings';
import { createUpstreamHttp, type HttpTuning, type UpstreamHttp } from '../../shared/http/upstreamHttp';

/** Settings with retry delays small enough for tests (3 retries, 10–80 ms backoff). */
export function fastSettings(overrides: Record<string, string> = {}): Settings {
  return loadSettings({
    HTTP_MAX_RETRIES: '3',
    HTTP_RETRY_DELAY_MS: '10',
    HTTP_MAX_RETRY_DELAY_MS: '80',
    ...overrides,
  });
}

/** Timeouts in milliseconds: the settings only go down to one second. */
export const FAST_TIMEOUTS: Partial<HttpTuning> = { timeoutMs: 500, idleTimeoutMs: 300 };

export function fastHttp(settings: Settings = fastSettings(), tuning: Partial<HttpTuning> = {}): UpstreamHttp {
  return createUpstreamHttp(settings, { ...FAST_TIMEOUTS, ...tuning });
}

export async function readBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Milliseconds between two consecutive requests the fake received. */
export function gapMs(requests: { at: number }[], index: number): number {
  return requests[index].at - requests[index - 1].at;
}
