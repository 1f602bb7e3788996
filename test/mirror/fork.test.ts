/**
 * Forks: the vault's own keys sign two histories (a copy of the vault directory grows apart from
 * the original). A mirror of the original refuses a checkpoint of the same size with another root,
 * and a larger one that does not extend what it holds; it keeps both checkpoints and the proof
 * under forks/, and is otherwise unchanged. A forged checkpoint whose tiles do not lead to its
 * root is refused as a broken server, not kept as a fork.
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, signCheckpoint } from '../../src/log/checkpoint.js';
import { decodeBase64, encodeBase64 } from '../../src/log/encoding.js';
import { parseNote } from '../../src/log/note.js';
import { verifyConsistency } from '../../src/log/proof.js';
import { ForkError, MirrorError } from '../../src/mirror/errors.js';
import { HttpSource } from '../../src/mirror/http-source.js';
import { pullMirror } from '../../src/mirror/pull.js';
import type { MirrorSource } from '../../src/mirror/source.js';
import { logSigner } from '../../src/vault/keys.js';
import { Vault } from '../../src/vault/vault.js';
import { removeTemp, tempDir } from '../vault/helpers.js';
import {
  createTestVault,
  fingerprint,
  type MirrorTestVault,
  PASSPHRASE,
  type Served,
  sealFolder,
  serveVault,
  token,
} from './helpers.js';

/** `source` with its latest checkpoint replaced by `note`. */
function offering(source: MirrorSource, note: string): MirrorSource {
  return Object.assign(Object.create(source) as MirrorSource, { latest: async () => note });
}

function noteOfSize(v: Vault, size: number): string {
  return (v.db.prepare('SELECT note FROM checkpoints WHERE size = ?').get(size) as { note: string })
    .note;
}

describe('a mirror refuses forks and keeps them', () => {
  let root: string;
  let a: MirrorTestVault;
  let b: MirrorTestVault;
  let servedA: Served;
  let servedB: Served;
  let mirror: string;
  let before: Record<string, string>;
  const skip = ['forks', '.lock'];

  beforeAll(async () => {
    root = tempDir('tamga-mirror-fork-');
    a = await createTestVault(join(root, 'a'));
    await sealFolder(a, root, 'one', { 'x.txt': 'x', 'y.txt': 'y', 'z.txt': 'z' });
    const tok = token(a, 'mirror');
    a.vault.close();
    // The same keys in another directory: the vault's owner (or whoever holds the keys) forks.
    cpSync(a.dir, join(root, 'b'), { recursive: true });
    a = { ...a, vault: await Vault.open(a.dir) };
    const bVault = await Vault.open(join(root, 'b'));
    b = { dir: join(root, 'b'), vault: bVault, keys: await bVault.unlock(PASSPHRASE) };
    await sealFolder(a, root, 'two-a', { 'a1.txt': 'a1', 'a2.txt': 'a2' });
    await sealFolder(b, root, 'two-b', { 'b1.txt': 'b1', 'b2.txt': 'b2' });
    await sealFolder(b, root, 'three-b', { 'b3.txt': 'b3', 'b4.txt': 'b4', 'b5.txt': 'b5' });
    servedA = await serveVault(a.dir);
    servedB = await serveVault(b.dir);
    mirror = join(root, 'mirror');
    const source = new HttpSource(servedA.url, { token: tok });
    expect((await pullMirror({ source, into: mirror })).size).toBe(5);
    await source.close();
    before = fingerprint(mirror, skip);
    (globalThis as { tok?: string }).tok = tok;
  });

  afterAll(async () => {
    await servedA.close();
    await servedB.close();
    a.vault.close();
    b.vault.close();
    removeTemp(root);
  });

  const tok = () => (globalThis as { tok?: string }).tok!;

  function forks(): string[] {
    try {
      return readdirSync(join(mirror, 'forks')).sort();
    } catch {
      return [];
    }
  }

  it('refuses a checkpoint of the same size with another root', async () => {
    const source = new HttpSource(servedB.url, { token: tok() });
    const other = noteOfSize(b.vault, 5);
    const err = await pullMirror({ source: offering(source, other), into: mirror }).catch((e) => e);
    await source.close();
    expect(err).toBeInstanceOf(ForkError);
    expect((err as ForkError).evidence.kind).toBe('same-size');
    expect((err as ForkError).message).toMatch(/forked/);
    const kept = (err as ForkError).kept!;
    expect(readFileSync(join(kept, 'held.checkpoint'), 'utf8')).toBe(noteOfSize(a.vault, 5));
    expect(readFileSync(join(kept, 'offered.checkpoint'), 'utf8')).toBe(other);
    expect(fingerprint(mirror, skip)).toEqual(before);
  });

  it('refuses a larger tree that does not extend the one held, with the proof', async () => {
    const source = new HttpSource(servedB.url, { token: tok() });
    const n = forks().length;
    const err = await pullMirror({ source, into: mirror }).catch((e) => e);
    await source.close();
    expect(err).toBeInstanceOf(ForkError);
    const fork = err as ForkError;
    expect(fork.evidence.kind).toBe('inconsistent');
    expect(fork.evidence.held.size).toBe(5);
    expect(fork.evidence.offered.size).toBe(8);
    expect(forks().length).toBe(n + 1);
    // The proof file is a tlog-witness request body: old size, proof lines, blank, checkpoint.
    const body = readFileSync(join(fork.kept!, 'proof'), 'utf8');
    const [head, rest] = [
      body.slice(0, body.indexOf('\n\n')),
      body.slice(body.indexOf('\n\n') + 2),
    ];
    const [old, ...lines] = head.split('\n');
    expect(old).toBe('old 5');
    expect(rest).toBe(noteOfSize(b.vault, 8));
    const proof = lines.map((l) => decodeBase64(l));
    expect(proof.map(encodeBase64)).toEqual(fork.evidence.proof.map(encodeBase64));
    // Anyone can check it: the proof, valid for the offered tree, does not reach the held root.
    const heldRoot = parseCheckpoint(parseNote(noteOfSize(a.vault, 5)).text).root;
    const offeredRoot = parseCheckpoint(parseNote(rest).text).root;
    expect(() => verifyConsistency(5, 8, heldRoot, offeredRoot, proof)).toThrow(
      /old root|not an extension/,
    );
    expect(JSON.parse(readFileSync(join(fork.kept!, 'fork.json'), 'utf8'))).toMatchObject({
      kind: 'inconsistent',
      heldSize: 5,
      offeredSize: 8,
    });
    expect(fingerprint(mirror, skip)).toEqual(before);
  });

  it('refuses a forged checkpoint of the same size signed with the log key', async () => {
    const source = new HttpSource(servedA.url, { token: tok() });
    const forged = signCheckpoint(
      { origin: a.vault.info.origin, size: 5, root: new Uint8Array(32).fill(7) },
      logSigner(a.keys),
    );
    const err = await pullMirror({ source: offering(source, forged), into: mirror }).catch(
      (e) => e,
    );
    await source.close();
    expect(err).toBeInstanceOf(ForkError);
    expect(fingerprint(mirror, skip)).toEqual(before);
  });

  it('refuses a larger checkpoint its tiles do not support, as a broken server', async () => {
    const source = new HttpSource(servedA.url, { token: tok() });
    const n = forks().length;
    const forged = signCheckpoint(
      { origin: a.vault.info.origin, size: 5 + 300, root: new Uint8Array(32).fill(9) },
      logSigner(a.keys),
    );
    const err = await pullMirror({ source: offering(source, forged), into: mirror }).catch(
      (e) => e,
    );
    await source.close();
    expect(err).toBeInstanceOf(MirrorError);
    expect(err).not.toBeInstanceOf(ForkError);
    expect(forks().length).toBe(n);
    expect(fingerprint(mirror, skip)).toEqual(before);
  });

  it('refuses a checkpoint not signed by the pinned key', async () => {
    const source = new HttpSource(servedA.url, { token: tok() });
    const other = await createTestVault(join(root, 'stranger'));
    const forged = signCheckpoint(
      { origin: a.vault.info.origin, size: 5, root: new Uint8Array(32) },
      // Same origin, another key.
      (await import('../../src/log/note.js')).parseSignerKey(
        (await import('../../src/log/note.js')).generateSignerKey(
          a.vault.info.origin,
          new Uint8Array(32).fill(1),
        ),
      ),
    );
    other.vault.close();
    const err = await pullMirror({ source: offering(source, forged), into: mirror }).catch(
      (e) => e,
    );
    await source.close();
    expect(err).toBeInstanceOf(MirrorError);
    expect((err as Error).message).toMatch(/does not verify with the pinned keys/);
    expect(fingerprint(mirror, skip)).toEqual(before);
  });

  it('still pulls from the honest vault afterwards', async () => {
    await sealFolder(a, root, 'three-a', { 'a3.txt': 'a3' });
    const source = new HttpSource(servedA.url, { token: tok() });
    const r = await pullMirror({ source, into: mirror });
    await source.close();
    expect(r).toMatchObject({ previousSize: 5, size: 6 });
  });
});
