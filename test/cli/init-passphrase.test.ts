/** `tamga init` refuses a guessable passphrase, from the terminal or $TAMGA_PASSPHRASE. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkPassphrase } from '../../src/vault/passphrase-strength.js';
import { capture, ORIGIN, removeTemp, tempDir } from '../vault/helpers.js';

let root: string;
beforeEach(() => {
  root = tempDir('tamga-init-passphrase-');
});
afterEach(() => removeTemp(root));

const init = ['init', '--vault', 'v', '--origin', ORIGIN, '--scrypt-log-n', '10'];

describe('tamga init and a weak passphrase', () => {
  it.each(['Bishkek2023', 'Профсоюз2024', 'password123'])(
    'refuses %s, suggests random words, creates nothing',
    async (weak) => {
      const c = capture(root, { TAMGA_PASSPHRASE: weak });
      expect(await main(init, c.ctx)).toBe(1);
      const said = c.err.join('\n');
      expect(said).toMatch(/could be guessed offline .* nothing was created/);
      const suggestion = /for example: ([a-z ]+)$/.exec(said)?.[1];
      expect(suggestion).toBeDefined();
      expect(checkPassphrase(suggestion!).ok).toBe(true);
      expect(existsSync(join(root, 'v'))).toBe(false);
    },
  );

  it('accepts it with --allow-weak-passphrase (tests and demos)', async () => {
    const c = capture(root, { TAMGA_PASSPHRASE: 'Bishkek2023' });
    expect(await main([...init, '--allow-weak-passphrase'], c.ctx)).toBe(0);
    expect(existsSync(join(root, 'v', 'keys.age'))).toBe(true);
  });
});
