/** The setup route refuses a guessable vault passphrase (src/vault/passphrase-strength.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/server/app/api.js';
import { buildApp } from '../../src/server/app/index.js';
import { checkPassphrase } from '../../src/vault/passphrase-strength.js';
import { call, PASSWORD, TEST_OPTIONS, tempVaultDir } from './helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('POST /api/setup and the passphrase', () => {
  it.each(['Bishkek2023', 'Профсоюз2024', 'password123'])(
    'refuses %s with passphrase.weak and a suggestion, and creates nothing',
    async (passphrase) => {
      const tmp = await tempVaultDir();
      const app = await buildApp({ ...TEST_OPTIONS, vaultDir: tmp.dir });
      cleanup = async () => {
        await app.close();
        await tmp.cleanup();
      };
      const res = await call(app, null, 'POST', ROUTES.setup, {
        organisation: 'Bishkek teachers',
        origin: 'union.kg/log',
        admin: { name: 'admin', password: PASSWORD },
        passphrase,
      });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body).toMatchObject({ key: 'passphrase.weak', code: 'passphrase.weak' });
      expect(checkPassphrase(body.params.suggestion).ok).toBe(true);
      const state = await call(app, null, 'GET', ROUTES.state);
      expect(state.json()).toMatchObject({ phase: 'setup' });
    },
  );
});
