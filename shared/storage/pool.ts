/**
 * A bounded pool of concurrent tasks. Hand-written (a few lines) because the well-known
 * `p-limit` is ESM-only in its maintained versions and this project compiles to CommonJS.
 */
export interface Pool {
  /** Waits for a free slot, starts the task and returns without waiting for it (backpressure for producers). */
  submit(task: () => Promise<unknown>): Promise<void>;
  /** Runs the task in a slot and resolves with its result. */
  run: <T>(task: () => Promise<T>) => Promise<T>;
  /** Resolves when every submitted task has settled; rejects with the first failure. */
  drain(): Promise<void>;
}

export function createPool(concurrency: number): Pool {
  let active = 0;
  const waiting: (() => void)[] = [];
  const running = new Set<Promise<unknown>>();
  let failure: unknown;

  // Resolves once the task has started, with its promise in a wrapper: an async function returning
  // the promise itself would adopt it, so that `submit` waited for the task to finish (one at a time).
  const start = async <T>(task: () => Promise<T>): Promise<{ settled: Promise<T> }> => {
    while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the first task's failure, rethrown as it came
    if (failure !== undefined) throw failure;
    active++;
    const p = task().finally(() => {
      active--;
      waiting.shift()?.();
    });
    running.add(p);
    p.then(
      () => running.delete(p),
      (e: unknown) => {
        running.delete(p);
        failure ??= e;
      },
    );
    return { settled: p };
  };

  return {
    async submit(task) {
      await start(task);
    },
    async run(task) {
      return (await start(task)).settled;
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the first task's failure, rethrown as it came
      if (failure !== undefined) throw failure;
    },
  };
}
