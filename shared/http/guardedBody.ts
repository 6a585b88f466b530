import { Readable } from 'node:stream';

/** A response body that stopped early or stalled; `code` tells the retry strategies it is a connection failure. */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly code: 'ECONNRESET' | 'ETIMEDOUT',
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export interface BodyGuard {
  /** Longest silence of the server while the reader is waiting for bytes. */
  idleTimeoutMs: number;
  /** Content-Length of the bytes as received, when the server declared it. */
  expectedBytes?: number;
  /** Names the download in error messages. */
  what: string;
}

/**
 * Passes a response body through, failing it with a BodyError when the server stops sending
 * (idle timeout), or when the connection ends before Content-Length bytes arrived. Node's own
 * stream would otherwise hang forever or end quietly with half a file.
 *
 * The idle clock only runs while the reader is asking for data, so a slow consumer (an upload to
 * blob storage, say) applying backpressure is never mistaken for a stalled server.
 */
export function guardBody(source: Readable, guard: BodyGuard): Readable {
  let received = 0;
  let ended = false;
  let idleTimer: NodeJS.Timeout | undefined;

  const stopClock = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  };
  const startClock = () => {
    idleTimer ??= setTimeout(() => fail('ETIMEDOUT', `no data for ${guard.idleTimeoutMs} ms`), guard.idleTimeoutMs);
  };
  const cutOff = () => guard.expectedBytes !== undefined && received < guard.expectedBytes;
  const progress = () =>
    guard.expectedBytes === undefined ? `${received} bytes` : `${received} of ${guard.expectedBytes} bytes`;
  const fail = (code: BodyError['code'], problem: string) => {
    stopClock();
    if (!body.destroyed) body.destroy(new BodyError(`${guard.what}: ${problem} (received ${progress()})`, code));
  };

  const body = new Readable({
    read() {
      startClock();
      source.resume();
    },
    destroy(error, callback) {
      stopClock();
      source.destroy();
      callback(error);
    },
  });

  source.on('data', (chunk: Buffer) => {
    received += chunk.length;
    stopClock();
    if (body.push(chunk)) startClock();
    else source.pause();
  });
  source.on('end', () => {
    ended = true;
    stopClock();
    if (cutOff()) fail('ECONNRESET', 'body truncated');
    else body.push(null);
  });
  source.on('error', (error) =>
    fail(
      'ECONNRESET',
      cutOff()
        ? `body truncated: the connection ended early (${error.message})`
        : `connection failed (${error.message})`,
    ),
  );
  source.on('close', () => {
    if (!ended) fail('ECONNRESET', 'body truncated: the connection ended early');
  });
  source.pause();
  return body;
}

/** Reads a guarded body to the end. */
export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
