import { SingleBar, Presets } from 'cli-progress';
import { redact } from '../shared/observability/redact';

/**
 * Output rules shared by every command: logs and progress go to stderr; the summary is the last
 * thing on stdout (one line for people, one JSON object with --json). Everything printed is
 * redacted (see redact): run errors and failures quote upstream answers, which may quote credentials.
 */
export interface CommandIO {
  json: boolean;
  log(message: string): void;
  /** A progress display on a terminal; silent otherwise. */
  progress(label: string, total?: number): Progress;
  summary(line: string, data: unknown): void;
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export function consoleIO(json: boolean): CommandIO {
  const tty = Boolean(process.stderr.isTTY) && !json;
  return {
    json,
    log: (message) => process.stderr.write(`${redact(message)}\n`),
    progress(label, total) {
      if (!tty) return { update: () => {}, stop: () => {} };
      const bar = new SingleBar(
        { format: `${label} [{bar}] {value}/{total} rows`, stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total ?? 0, 0);
      return {
        update: (done, newTotal) => {
          if (newTotal !== undefined) bar.setTotal(newTotal);
          bar.update(done);
        },
        stop: () => bar.stop(),
      };
    },
    summary(line, data) {
      // String by string, so that the JSON stays valid whatever a secret is made of.
      const text = json
        ? JSON.stringify(data, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value))
        : redact(line);
      process.stdout.write(`${text}\n`);
    },
  };
}
