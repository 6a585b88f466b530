import { EVENT_LEVEL, createLogger, memorySink } from '../../../shared/observability/logger';

/** The line shape that the KQL in docs/operations.md (Monitor) and the dashboards rely on. */
describe('structured log lines', () => {
  it('starts every line with level, message and correlation id', () => {
    const sink = memorySink();
    const log = createLogger(sink, 'run-1', { trigger: 'timer' });
    log.info('started', { market: 'US' });
    const line = sink.lines[0];
    expect(line.startsWith('{"level":"info","message":"started","correlationId":"run-1"')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      message: 'started',
      correlationId: 'run-1',
      trigger: 'timer',
      market: 'US',
    });
  });

  it('writes run summaries as event lines that KQL can find by their start', () => {
    const sink = memorySink();
    createLogger(sink, 'run-2').event('priceRefreshCompleted', { market: 'US', rows: 12, ok: true });
    expect(sink.lines[0].startsWith(`{"level":"${EVENT_LEVEL}"`)).toBe(true);
    expect(JSON.parse(sink.lines[0])).toMatchObject({
      level: 'event',
      message: 'priceRefreshCompleted',
      eventName: 'priceRefreshCompleted',
      correlationId: 'run-2',
      rows: 12,
    });
  });

  it('does not let props overwrite the fixed fields', () => {
    const sink = memorySink();
    createLogger(sink, 'run-3').event('x', { level: 'info', correlationId: 'other', eventName: 'y', message: 'z' });
    expect(JSON.parse(sink.lines[0])).toMatchObject({
      level: 'event',
      correlationId: 'run-3',
      eventName: 'x',
      message: 'x',
    });
  });

  it('redacts credentials in the message, in props and in base props', () => {
    const sink = memorySink();
    const log = createLogger(sink, 'run-4', { source: 'AccountKey=Zm9vYmFy;' });
    log.error('upstream said: Authorization: Bearer tok-123456', { error: 'echo {"access_token":"at-987654"}' });
    const line = sink.lines[0];
    for (const secret of ['tok-123456', 'at-987654', 'Zm9vYmFy']) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({
      message: 'upstream said: Authorization: [redacted]',
      error: 'echo {"access_token":"[redacted]"}',
      source: 'AccountKey=[redacted];',
    });
  });

  it('gives each logger its own correlation id by default', () => {
    const a = createLogger(memorySink());
    const b = createLogger(memorySink());
    expect(a.correlationId).not.toBe(b.correlationId);
  });
});
