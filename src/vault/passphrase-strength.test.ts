import { describe, expect, it } from 'vitest';
import {
  checkPassphrase,
  MIN_GUESSES_LOG10,
  SUGGESTED_WORDS,
  suggestPassphrase,
} from './passphrase-strength.js';

describe('checkPassphrase', () => {
  it.each(['Bishkek2023', 'Профсоюз2024', 'password123', 'Кыргызстан1991', 'qwertyuiop12'])(
    'refuses %s',
    (p) => {
      const v = checkPassphrase(p);
      expect(v.ok).toBe(false);
      expect(v.guessesLog10).toBeLessThan(MIN_GUESSES_LOG10);
    },
  );

  it('refuses a passphrase made of what the attacker knows about the vault', () => {
    const p = 'chuyteachers1995!';
    expect(checkPassphrase(p).ok).toBe(true);
    expect(checkPassphrase(p, ['Chuy teachers union', 'chuy-teachers.kg/log']).ok).toBe(false);
  });

  it('accepts several random words', () => {
    const v = checkPassphrase('cardinal tinwork ferris clubbing marital rage');
    expect(v).toMatchObject({ ok: true, score: 4, warning: null });
    expect(v.guessesLog10).toBeGreaterThanOrEqual(MIN_GUESSES_LOG10);
  });
});

describe('suggestPassphrase', () => {
  it('draws six distinct-looking random words that the check accepts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const p = suggestPassphrase();
      expect(p.split(' ')).toHaveLength(SUGGESTED_WORDS);
      expect(p).toMatch(/^[a-z]+( [a-z]+){5}$/);
      expect(checkPassphrase(p).ok).toBe(true);
      seen.add(p);
    }
    expect(seen.size).toBe(20);
  });
});
