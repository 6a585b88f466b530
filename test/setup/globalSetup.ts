import { freePort, startAzurite } from '../../runtime/azurite';

/** One in-memory Azurite on free ports for the whole test run, so a running `npm start` is never touched. */
export default async function globalSetup(): Promise<void> {
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const azurite = await startAzurite({ ports });
  process.env.TEST_STORAGE_CONNECTION = azurite.connectionString;
  (globalThis as Record<string, unknown>).__azurite = azurite;
}
