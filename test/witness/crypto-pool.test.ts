/**
 * The worker-thread Ed25519 pool answers exactly as the log core does: valid signatures, altered
 * ones, wrong keys and malformed lengths, and signatures made with the witness's seed, mixed in
 * batches of any size.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519 } from '../../src/log/ed25519.js';
import { inlineCryptoPool, workerCryptoPool } from '../../src/witness/crypto-pool.js';
import './helpers.js';

describe('workerCryptoPool', () => {
  const seed = randomBytes(32);
  const pool = workerCryptoPool(seed, 2);
  const inline = inlineCryptoPool(seed);
  afterAll(async () => {
    await pool.close();
  });

  it('agrees with the log core on valid and invalid signatures, in one batch', async () => {
    const cases = Array.from({ length: 300 }, (_, i) => {
      const seed = randomBytes(32);
      const pub = ed25519.publicKey(seed);
      const message = randomBytes(i % 200);
      const signature = ed25519.sign(message, seed);
      switch (i % 5) {
        case 1:
          signature[i % 64]! ^= 1;
          break;
        case 2:
          message[0] = (message[0] ?? 0) ^ 1;
          break;
        case 3:
          return { pub: ed25519.publicKey(randomBytes(32)), message, signature };
        case 4:
          return { pub, message, signature: signature.subarray(0, 63) };
      }
      return { pub, message, signature };
    });
    const got = await Promise.all(cases.map((c) => pool.verify(c.pub, c.message, c.signature)));
    const expected = await Promise.all(
      cases.map((c) => inline.verify(c.pub, c.message, c.signature)),
    );
    expect(got).toEqual(expected);
    expect(got.filter(Boolean)).toHaveLength(60);
  });

  it('signs with the seed, as the log core does, between verifications', async () => {
    const messages = Array.from({ length: 40 }, (_, i) => randomBytes(i * 3));
    const pub = ed25519.publicKey(seed);
    const [signed, checks] = await Promise.all([
      Promise.all(messages.map((m) => pool.sign(m))),
      Promise.all(messages.map((m) => pool.verify(pub, m, ed25519.sign(m, seed)))),
    ]);
    expect(signed.map((s) => Buffer.from(s).toString('hex'))).toEqual(
      messages.map((m) => Buffer.from(ed25519.sign(m, seed)).toString('hex')),
    );
    expect(checks.every(Boolean)).toBe(true);
  });

  it('rejects what is asked after it closed', async () => {
    const p = workerCryptoPool(randomBytes(32), 1);
    await p.close();
    await expect(
      p.verify(new Uint8Array(32), new Uint8Array(0), new Uint8Array(64)),
    ).rejects.toThrow('closed');
  });
});
