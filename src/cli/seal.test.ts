/** parseMeta: `--meta key=value` options of `tamga seal`. */
import { describe, expect, it } from 'vitest';
import { UsageError } from './context.js';
import { parseMeta } from './seal.js';

describe('parseMeta', () => {
  it('splits each pair at its first "="; the value may be empty or hold "="', () => {
    expect(parseMeta(['office=Бишкек', 'ref=a=b', 'empty='])).toEqual({
      office: 'Бишкек',
      ref: 'a=b',
      empty: '',
    });
    expect(parseMeta([])).toEqual({});
  });

  it.each(['novalue', '=value', ''])('refuses %j as bad usage, quoting it', (pair) => {
    expect(() => parseMeta([pair])).toThrow(UsageError);
    expect(() => parseMeta(['ok=1', pair])).toThrow(`--meta takes key=value, got "${pair}"`);
  });
});
