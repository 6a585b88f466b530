import { randomUUID } from 'node:crypto';

/**
 * Structured logging for domain code, free of trigger plumbing: every line carries the
 * correlation id of its run or request; run summaries are emitted as named events so that a
 * dashboard or an alert can be built on them. Never pass personal data in clear (see privacy/mask).
 */
export type LogProps = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  readonly correlationId: string;
  info(message: string, props?: LogProps): void;
  warn(message: string, props?: LogProps): void;
  error(message: string, props?: LogProps): void;
  /** A custom event (App Insights customEvents when run by the Functions host). */
  event(name: string, props?: LogProps): void;
}

/** Where formatted lines go: the InvocationContext's log methods, stderr, or a test's array. */
export interface LogSink {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export function createLogger(sink: LogSink, correlationId: string = randomUUID(), base: LogProps = {}): Logger {
  const line = (level: string, message: string, props?: LogProps) =>
    JSON.stringify({ level, message, correlationId, ...base, ...props });
  return {
    correlationId,
    info: (m, p) => sink.info(line('info', m, p)),
    warn: (m, p) => sink.warn(line('warn', m, p)),
    error: (m, p) => sink.error(line('error', m, p)),
    event: (name, p) => sink.info(line('event', name, { eventName: name, ...p })),
  };
}

export const stderrSink: LogSink = {
  info: (l) => process.stderr.write(`${l}\n`),
  warn: (l) => process.stderr.write(`${l}\n`),
  error: (l) => process.stderr.write(`${l}\n`),
};

/** Collects lines (tests assert on them, e.g. that no personal data is logged). */
export function memorySink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
}
