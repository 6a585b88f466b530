import { MultiBar, Presets } from 'cli-progress';
import type { LogSink } from '../shared/observability/logger';
import { redact } from '../shared/observability/redact';

/**
 * Output rules shared by every command: logs and progress go to stderr; the summary is the last
 * thing on stdout (one line — or a table and a line — for people, one JSON object with --json).
 * Everything printed is redacted (see redact): run errors and failures quote upstream answers, which
 * may quote credentials.
 */
export interface CommandIO {
  json: boolean;
  /** A line on stderr, shown or not by its level and the verbosity (`info` when not given). */
  log(message: string, level?: LogLevel): void;
  /** A progress display on a terminal; silent otherwise. */
  progress(label: string, total?: number): Progress;
  summary(line: string, data: unknown): void;
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** --quiet: errors (and the summary) only; --verbose: debug lines too. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

const SHOWN: Record<Verbosity, readonly LogLevel[]> = {
  quiet: ['error'],
  normal: ['error', 'warn', 'info'],
  verbose: ['error', 'warn', 'info', 'debug'],
};

/** The pipelines' structured log lines, through the command's output (its verbosity, above its progress bar). */
export function logSinkOf(io: CommandIO): LogSink {
  return {
    info: (line) => io.log(line, 'info'),
    warn: (line) => io.log(line, 'warn'),
    error: (line) => io.log(line, 'error'),
  };
}

export function consoleIO(json: boolean, verbosity: Verbosity = 'normal'): CommandIO {
  // A bar only where someone watches it, and not when they asked for errors only.
  const tty = Boolean(process.stderr.isTTY) && !json && verbosity !== 'quiet';
  /** The bar on screen, if any: a line printed meanwhile goes above it instead of overwriting it. */
  let bars: MultiBar | undefined;
  return {
    json,
    log(message, level = 'info') {
      if (!SHOWN[verbosity].includes(level)) return;
      const line = `${redact(message)}\n`;
      // MultiBar.log keeps the line until the next redraw, which prints it above the bar.
      if (bars) bars.log(line);
      else process.stderr.write(line);
    },
    progress(label, total) {
      if (!tty) return { update: () => {}, stop: () => {} };
      const multi = new MultiBar(
        // forceRedraw: a line printed above the bar takes the bar's line; the bar is drawn again below it
        // at once, not when its value next changes.
        {
          format: `${label} [{bar}] {value}/{total} rows`,
          stream: process.stderr,
          hideCursor: true,
          forceRedraw: true,
        },
        Presets.shades_classic,
      );
      const bar = multi.create(total ?? 0, 0);
      bars = multi;
      return {
        update: (done, newTotal) => {
          if (newTotal !== undefined) bar.setTotal(newTotal);
          bar.update(done);
        },
        stop: () => {
          // A redraw first: MultiBar.stop does not print the lines still waiting for one.
          multi.update();
          multi.stop();
          bars = undefined;
        },
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
