import { DateTime, Settings } from 'luxon';
import { LAST_DAY, nowInstant, OPEN_END, OPEN_ENDED_FROM, parseDay, parseInstant } from '../../../shared/core/dates';

const CASES: [string, string | null][] = [
  ['3/1/2018 12:00:00 AM', '2018-03-01T00:00:00.0000000Z'],
  ['11/30/9999 11:59:59 PM', '9999-11-30T23:59:59.0000000Z'],
  ['12/31/2021 12:30:05 PM', '2021-12-31T12:30:05.0000000Z'],
  ['2/1/2023 0:00', '2023-02-01T00:00:00.0000000Z'],
  ['11/30/9999 23:59', '9999-11-30T23:59:00.0000000Z'],
  ['2021-11-03T06:57:30.0682597Z', '2021-11-03T06:57:30.0682597Z'],
  ['2021-10-01T00:00:00.0000000Z', '2021-10-01T00:00:00.0000000Z'],
  ['9999-11-30T23:59:59.0000000Z', '9999-11-30T23:59:59.0000000Z'],
  ['2021-11-03T08:57:30.0682597+02:00', '2021-11-03T06:57:30.0682597Z'],
  ['2021-11-02T22:57:30-08:00', '2021-11-03T06:57:30.0000000Z'],
  ['  3/1/2018 12:00:00 AM ', '2018-03-01T00:00:00.0000000Z'],
  ['', null],
  ['not a date', null],
  ['13/45/2021 10:00:00 AM', null],
  ['2021-02-30T00:00:00Z', null],
];

function parseAll(): (string | null)[] {
  return CASES.map(([text]) => parseInstant(text));
}

describe('parseInstant', () => {
  it.each(CASES)('%s → %s', (text, instant) => {
    expect(parseInstant(text)).toBe(instant);
  });

  it('orders instants as text in time order', () => {
    expect(parseInstant('2021-11-03T06:57:30.0682597Z')! < parseInstant('2021-11-03T06:57:30.0682598Z')!).toBe(true);
    expect(parseInstant('2/1/2023 0:00')! < parseInstant('11/30/9999 11:59:59 PM')!).toBe(true);
  });

  it('does not depend on the machine time zone', () => {
    const originalTz = process.env.TZ;
    const originalZone = Settings.defaultZone;
    const fixedNow = new Date(Date.UTC(2024, 0, 31, 23, 30));
    try {
      const results = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles'].map((zone) => {
        // Jest hands tests a copy of process.env, so TZ alone may not reach the runtime; luxon's
        // default zone is the machine zone it would otherwise use.
        process.env.TZ = zone;
        Settings.defaultZone = zone;
        return { offset: DateTime.local(2024, 1, 1).offset, parsed: parseAll(), now: nowInstant(fixedNow) };
      });
      // The zone really changed (Kiritimati is UTC+14, Los Angeles UTC-8 in January)...
      expect(results.map((r) => r.offset)).toEqual([0, 840, -480]);
      // ...and nothing else did.
      for (const r of results) {
        expect(r.parsed).toEqual(CASES.map(([, instant]) => instant));
        expect(r.now).toBe('2024-01-31T23:30:00.0000000Z');
      }
    } finally {
      Settings.defaultZone = originalZone;
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
    }
  });
});

describe('open-ended dates', () => {
  it('gives sources without end dates a normalized instant on the last day', () => {
    expect(parseInstant(OPEN_END)).toBe(OPEN_END);
    expect(parseDay(LAST_DAY)).toBe(LAST_DAY);
    expect(OPEN_END.startsWith(LAST_DAY)).toBe(true);
  });

  it("counts Partner Center's year-9999 ends (and OPEN_END) as open-ended, and real ends as ending", () => {
    const ends = ['11/30/9999 11:59:59 PM', '9999-12-31T23:59:59Z', OPEN_END, '12/31/2021 12:30:05 PM', '8/31/2026'];
    const openEnded = ends.map((text) => parseInstant(text)! >= OPEN_ENDED_FROM);
    expect(openEnded).toEqual([true, true, true, false, false]);
  });
});
