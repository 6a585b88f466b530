import { randomUUID } from 'node:crypto';
import { redact } from './redact';

/**
 * Structured logging for domain code, free of trigger plumbing: every line carries the
 * correlation id of its run or request; run summaries are emitted as named events so that a
 * dashboard or an alert can be built on them. Never pass personal data in clear (see privacy/mask).
 * Credentials are blanked here (see redact), since error text from upstream services can quote them.
 *
 * Every line is one JSON object that starts with `{"level":…`. Under the Functions host the sink is the
 * InvocationContext, whose lines reach Application Insights as `traces` (message = the JSON line,
 * operation_Id = the invocation). An event line is `{"level":"event","message":<name>,"correlationId":…,
 * "eventName":<name>,…props}`; docs/operations.md (Monitor) has the KQL that turns them into rows:
 *
 *   traces | where message startswith '{"level":"event"'
 *   | extend e = parse_json(message) | extend name = tostring(e.eventName), correlationId = tostring(e.correlationId)
 *
 * host.json excludes Trace, Event, Request and Exception from sampling, so no run summary is dropped.
 */
export type LogProps = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  readonly correlationId: string;
  info(message: string, props?: LogProps): void;
  warn(message: string, props?: LogProps): void;
  error(message: string, props?: LogProps): void;
  /**
   * A named event (run summaries): one line with level "event"; in Azure a trace that docs/operations.md
   * (Monitor) queries with KQL.
   */
  event(name: string, props?: LogProps): void;
}

/** Where formatted lines go: the InvocationContext's log methods, stderr, or a test's array. */
export interface LogSink {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** The `level` of event lines: KQL finds run summaries with `message startswith '{"level":"event"'`. */
export const EVENT_LEVEL = 'event';

export function createLogger(sink: LogSink, correlationId: string = randomUUID(), base: LogProps = {}): Logger {
  // level, message and correlationId come first (so that KQL can match the line's start) and cannot be
  // overwritten by props of the same name.
  const line = (level: string, message: string, props?: LogProps) => {
    const fixed = { level, message: redact(message), correlationId };
    return JSON.stringify(Object.assign({}, fixed, redactedProps(base), redactedProps(props), fixed));
  };
  return {
    correlationId,
    info: (m, p) => sink.info(line('info', m, p)),
    warn: (m, p) => sink.warn(line('warn', m, p)),
    error: (m, p) => sink.error(line('error', m, p)),
    event: (name, p) => sink.info(line(EVENT_LEVEL, name, { ...p, eventName: name })),
  };
}

function redactedProps(props: LogProps | undefined): LogProps | undefined {
  if (!props) return props;
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]));
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
