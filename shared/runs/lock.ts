import type { StorageClients } from '../storage/clients';
import { statusOf } from '../storage/errors';

/**
 * Keeps two runs on the same market and view apart: a blob lease renewed while the run lives. A
 * run killed half-way loses its lease within 15 s; the next run then takes over.
 */

// The shortest lease the service allows, renewed well before it lapses: a killed run frees its
// market and view within 15 s.
const LEASE_SECONDS = 15;
const RENEW_MS = 5_000;
const POLL_MS = 500;

export class LockBusyError extends Error {
  constructor(name: string, waitedSeconds: number) {
    super(`another run holds ${name}; gave up after waiting ${waitedSeconds} s`);
    this.name = 'LockBusyError';
  }
}

export async function withLock<T>(
  storage: StorageClients,
  name: string,
  waitSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.locks).getBlockBlobClient(name);
  await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } }).catch((e) => {
    // 409/412: it exists already (maybe leased by the other run) — that is fine.
    if (statusOf(e) !== 409 && statusOf(e) !== 412) throw e;
  });
  const lease = blob.getBlobLeaseClient();
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    try {
      await lease.acquireLease(LEASE_SECONDS);
      break;
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
      if (Date.now() >= deadline) throw new LockBusyError(name, waitSeconds);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  const renew = setInterval(() => void lease.renewLease().catch(() => {}), RENEW_MS);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await lease.releaseLease().catch(() => {});
  }
}
