/**
 * A bounded pool of concurrent tasks. Hand-written (a few lines) because the well-known
 * `p-limit` is ESM-only in its maintained versions and this project compiles to CommonJS.
 * Besides the number of tasks, it can bound their total weight (e.g. the memory each will hold):
 * tasks start in the order they come, each when a slot is free and its weight fits beside those
 * running; a task heavier than the whole capacity runs alone.
 */
export interface Pool {
  /** Waits for a free slot, starts the task and returns without waiting for it (backpressure for producers). */
  submit(task: () => Promise<unknown>, weight?: number): Promise<void>;
  /** Runs the task in a slot and resolves with its result. */
  run: <T>(task: () => Promise<T>, weight?: number) => Promise<T>;
  /** Resolves when every submitted task has settled; rejects with the first failure. */
  drain(): Promise<void>;
}

export function createPool(concurrency: number, capacity = Infinity): Pool {
  let active = 0;
  let held = 0;
  const waiting: { weight: number; start: () => void }[] = [];
  const running = new Set<Promise<unknown>>();
  let failure: unknown;

  const fits = (weight: number) => active < concurrency && (active === 0 || held + weight <= capacity);
  const take = (weight: number) => {
    active++;
    held += weight;
  };
  const release = (weight: number) => {
    active--;
    held -= weight;
    // Strictly in order: a heavy task at the head is not overtaken by lighter ones forever.
    while (waiting.length > 0 && fits(waiting[0].weight)) {
      const next = waiting.shift() as (typeof waiting)[number];
      take(next.weight);
      next.start();
    }
  };

  // Resolves once the task has started, with its promise in a wrapper: an async function returning
  // the promise itself would adopt it, so that `submit` waited for the task to finish (one at a time).
  const start = async <T>(task: () => Promise<T>, weight: number): Promise<{ settled: Promise<T> }> => {
    if (waiting.length === 0 && fits(weight)) take(weight);
    else await new Promise<void>((resolve) => waiting.push({ weight, start: resolve }));
    if (failure !== undefined) {
      release(weight);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the first task's failure, rethrown as it came
      throw failure;
    }
    const p = task().finally(() => release(weight));
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
    async submit(task, weight = 0) {
      await start(task, weight);
    },
    async run(task, weight = 0) {
      return (await start(task, weight)).settled;
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the first task's failure, rethrown as it came
      if (failure !== undefined) throw failure;
    },
  };
}
