import path from 'node:path';
import { startLocalRunner, type Runner, type RunnerOptions } from '../../runtime/localRunner';

/**
 * The local runner as the tests start it: every file under functions/, on a free port, without
 * timers, blob polling or log output unless a test asks for them. Function keys are each test's choice.
 */
export function startTestRunner(
  options: Pick<RunnerOptions, 'settings' | 'storage'> & Partial<RunnerOptions>,
): Promise<Runner> {
  return startLocalRunner({
    port: 0,
    functionsDir: path.join(__dirname, '..', '..', 'functions'),
    pollBlobs: false,
    runTimers: false,
    log: () => {},
    ...options,
  });
}
