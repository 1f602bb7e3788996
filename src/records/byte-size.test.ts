/** One way of writing sizes, in decimal units, for the command line and the web app. */
import { describe, expect, it } from 'vitest';
import { formatByteSize, scaleBytes } from './byte-size.js';

describe('sizes in decimal units', () => {
  it.each([
    [0, '0 B'],
    [386, '386 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1536, '1.5 kB'],
    [1_500_000, '1.5 MB'],
    // 1.5 MiB is 1.6 MB: never the same number under another unit.
    [1536 * 1024, '1.6 MB'],
    [999_960, '1 MB'],
    [12_345_678_901, '12.3 GB'],
    [3e15, '3000 TB'],
  ])('%d bytes → %s', (n, text) => {
    expect(formatByteSize(n)).toBe(text);
  });

  it('names the unit as Intl does, for the web app to write in each language', () => {
    expect(scaleBytes(1536 * 1024)).toEqual({ value: 1.6, unit: 'megabyte' });
    expect(
      new Intl.NumberFormat('en', { style: 'unit', unit: 'megabyte', unitDisplay: 'short' }).format(
        1.6,
      ),
    ).toBe(formatByteSize(1536 * 1024));
  });
});
