import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type VaultDatabase } from '../vault/db.js';
import {
  BLOB_NAME_KEY,
  fixedTokenChecker,
  issueMirrorToken,
  listMirrorTokens,
  revokeMirrorToken,
  tokenHash,
  vaultTokenChecker,
} from './tokens.js';

describe('mirror tokens', () => {
  let dir: string;
  let db: VaultDatabase;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tamga-tokens-'));
    db = openDatabase(join(dir, 'vault.db'), { create: true });
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a random token, keeps only its hash, and a blob-name key', () => {
    const a = issueMirrorToken(db, 'partner');
    const b = issueMirrorToken(db);
    expect(a.token).toMatch(/^tmt1_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(b.entry.label).toBe('mirror-2');
    const rows = db.prepare('SELECT hash FROM mirror_tokens ORDER BY id').all() as Array<{
      hash: Buffer;
    }>;
    expect(rows[0]!.hash.equals(tokenHash(a.token))).toBe(true);
    const key = db.prepare('SELECT value FROM meta WHERE key = ?').get(BLOB_NAME_KEY) as {
      value: string;
    };
    expect(key.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses labels that are taken, numeric, empty or hold control characters', () => {
    expect(() => issueMirrorToken(db, 'partner')).toThrow(/already in use/);
    expect(() => issueMirrorToken(db, '42')).toThrow(/must not be a number/);
    expect(() => issueMirrorToken(db, '')).toThrow(/1 to 200/);
    expect(() => issueMirrorToken(db, 'a\nb')).toThrow(/1 to 200/);
  });

  it('checks tokens against active hashes, and revokes by id or label', () => {
    const { token, entry } = issueMirrorToken(db, 'to-revoke');
    const check = vaultTokenChecker(db);
    expect(check(token)).toBe(true);
    expect(check(`${token.slice(0, -1)}A`)).toBe(token.endsWith('A'));
    expect(check('not a token')).toBe(false);
    expect(revokeMirrorToken(db, String(entry.id))).toHaveLength(1);
    expect(check(token)).toBe(false);
    expect(() => revokeMirrorToken(db, 'to-revoke')).toThrow(/no active mirror token/);
    expect(listMirrorTokens(db).find((t) => t.id === entry.id)?.revoked).not.toBeNull();
    // A revoked label may be used again.
    expect(issueMirrorToken(db, 'to-revoke').entry.label).toBe('to-revoke');
  });

  it('a served mirror accepts its one token, or none without one', () => {
    expect(fixedTokenChecker('secret-1')('secret-1')).toBe(true);
    expect(fixedTokenChecker('secret-1')('secret-2')).toBe(false);
    expect(fixedTokenChecker(undefined)('')).toBe(false);
    expect(fixedTokenChecker('')('')).toBe(false);
  });
});
