import { startFakeServer, type FakeRequest, type FakeServer } from './fakeServer';

/**
 * A webhook receiver on 127.0.0.1: answers 204 to what reaches it and keeps those requests as
 * `accepted` (`requests` also has the attempts answered by an injected fault: 429, 5xx, resets).
 */
export interface WebhookReceiver extends FakeServer {
  accepted: FakeRequest[];
  /** The accepted events' ids, once each. */
  distinctIds(): Set<string>;
}

/** `delayMs`: how long it takes to answer each (a slow receiver keeps deliveries in flight). */
export async function startWebhookReceiver(delayMs = 0): Promise<WebhookReceiver> {
  const accepted: FakeRequest[] = [];
  const server = await startFakeServer(async (request) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    accepted.push(request);
    return { status: 204 };
  });
  return {
    ...server,
    accepted,
    distinctIds: () => new Set(accepted.map((request) => String(request.headers['webhook-id']))),
  };
}
