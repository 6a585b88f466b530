import { finished, type Readable } from 'node:stream';

/**
 * A process-wide cap on concurrent calls to each upstream service (UPSTREAM_MAX_CONCURRENCY per origin),
 * shared by every invocation in the process: with queue-triggered refreshes running side by side, this
 * and host.json's batch settings bound what one instance asks of Partner Center at once
 * (docs/operations.md: Queues). A call holds its slot from the first attempt to the end of its body —
 * retries and Retry-After waits included, so a throttled service is not asked more while it says wait.
 * Hand-written: limiters such as p-limit wrap one promise-returning call, but a slot here outlives the call
 * that took it (it is given back when a streamed body ends, errors or is destroyed).
 */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Resolves once a slot is free; the returned function gives it back (once, however often it is called). */
  async take(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next caller; otherwise it is free.
      if (next) next();
      else this.active--;
    };
  }
}

const byOrigin = new Map<string, Slots>();

/** Takes a slot for a call to the URL's origin. */
export function takeUpstreamSlot(url: string, limit: number): Promise<() => void> {
  const key = `${new URL(url).origin} ${limit}`;
  let slots = byOrigin.get(key);
  if (!slots) byOrigin.set(key, (slots = new Slots(limit)));
  return slots.take();
}

/** Gives the slot back once the body has been read to the end, failed or was destroyed. */
export function releaseWhenDone(body: Readable, release: () => void): void {
  finished(body, () => release());
}
