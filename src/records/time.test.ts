import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUtcSeconds, isFullDate, isUtcTimestamp } from './time.js';

describe('RFC 3339 UTC timestamps', () => {
  it.each([
    '2025-03-01T09:30:00Z',
    '2024-02-29T00:00:00Z',
    '2000-02-29T23:59:59.999999999Z',
    '2016-12-31T23:59:60Z',
    '0000-01-01T00:00:00Z',
  ])('accepts %s', (t) => {
    expect(isUtcTimestamp(t)).toBe(true);
  });

  it.each([
    '2025-03-01T09:30:00+00:00',
    '2025-03-01t09:30:00z',
    '2025-03-01 09:30:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-03-01T24:00:00Z',
    '2025-03-01T12:00:60Z',
    '2025-03-01T09:30:00.Z',
    '2025-03-01T09:30:00.1234567890Z',
    '2025-03-01T09:30Z',
    '2025-03-01',
  ])('refuses %s', (t) => {
    expect(isUtcTimestamp(t)).toBe(false);
  });

  it('knows full dates', () => {
    expect(isFullDate('2025-03-01')).toBe(true);
    expect(isFullDate('2025-02-29')).toBe(false);
    expect(isFullDate('2025-3-1')).toBe(false);
  });
});

describe('formatUtcSeconds', () => {
  it('agrees with Date for any time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (s) => {
        const expected = `${new Date(s * 1000).toISOString().slice(0, 19)}Z`;
        expect(formatUtcSeconds(s)).toBe(expected);
        expect(isUtcTimestamp(formatUtcSeconds(s))).toBe(true);
      }),
    );
    expect(formatUtcSeconds(0)).toBe('1970-01-01T00:00:00Z');
    expect(formatUtcSeconds(951782400)).toBe('2000-02-29T00:00:00Z');
  });

  it('refuses what is not a time', () => {
    expect(() => formatUtcSeconds(-1)).toThrow(RangeError);
    expect(() => formatUtcSeconds(0.5)).toThrow(RangeError);
  });
});
