import type { RunningAzurite } from '../../runtime/azurite';

export default async function globalTeardown(): Promise<void> {
  const azurite = (globalThis as Record<string, unknown>).__azurite as RunningAzurite | undefined;
  await azurite?.stop();
}
