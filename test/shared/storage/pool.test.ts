import { createPool } from '../../../shared/storage/pool';

/** A task that records how many tasks run beside it, and ends when told to. */
function tracker() {
  let running = 0;
  let most = 0;
  const endings: (() => void)[] = [];
  const task = () => async () => {
    most = Math.max(most, ++running);
    await new Promise<void>((resolve) => endings.push(resolve));
    running--;
  };
  const endOne = async () => {
    endings.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { task, endOne, running: () => running, most: () => most };
}

describe('createPool', () => {
  it('submit returns once the task has started, so a producer keeps `concurrency` tasks running', async () => {
    const pool = createPool(3);
    const t = tracker();
    const submitted = (async () => {
      for (let i = 0; i < 5; i++) await pool.submit(t.task());
    })();
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.running()).toBe(3);
    while (t.running() > 0) await t.endOne();
    await submitted;
    await pool.drain();
    expect(t.most()).toBe(3);
  });

  it('run resolves with the task result', async () => {
    await expect(createPool(2).run(async () => 42)).resolves.toBe(42);
  });

  it('bounds the total weight, in order, and runs a task heavier than the capacity alone', async () => {
    const pool = createPool(10, 10);
    const started: string[] = [];
    const endings = new Map<string, () => void>();
    const task = (name: string, weight: number) =>
      pool.run(async () => {
        started.push(name);
        await new Promise<void>((resolve) => endings.set(name, resolve));
      }, weight);
    const end = async (name: string) => {
      endings.get(name)?.();
      await new Promise((resolve) => setImmediate(resolve));
    };
    const all = [task('a', 6), task('b', 6), task('c', 1), task('huge', 25), task('d', 1)];
    await new Promise((resolve) => setImmediate(resolve));
    // b does not fit beside a, and c, though it would, does not overtake b.
    expect(started).toEqual(['a']);
    await end('a');
    expect(started).toEqual(['a', 'b', 'c']);
    await end('b');
    await end('c');
    expect(started).toEqual(['a', 'b', 'c', 'huge']);
    await end('huge');
    expect(started).toEqual(['a', 'b', 'c', 'huge', 'd']);
    await end('d');
    await Promise.all(all);
  });

  it('after a failure, starts nothing more and drain rejects with the first failure', async () => {
    const pool = createPool(1);
    await pool.submit(async () => {
      throw new Error('first');
    });
    await new Promise((resolve) => setImmediate(resolve));
    const never = jest.fn(async () => undefined);
    await expect(pool.submit(never)).rejects.toThrow('first');
    await expect(pool.drain()).rejects.toThrow('first');
    expect(never).not.toHaveBeenCalled();
  });
});
