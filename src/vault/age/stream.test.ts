import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AgeError } from './errors.js';
import { encodeBase64, encodeHeader, type Stanza } from './header.js';
import { sealKeyFile } from './keyfile.js';
import { CHUNK_SIZE, payloadKey, SEALED_CHUNK_SIZE } from './payload.js';
import {
  decryptBytes,
  decryptFile,
  decryptStream,
  encryptBytes,
  encryptFile,
  encryptStream,
  generateX25519Identity,
} from './stream.js';
import { parseX25519Recipient, wrapFileKey } from './x25519.js';

const alice = generateX25519Identity();
const bob = generateX25519Identity();
const carol = generateX25519Identity();
const dir = mkdtempSync(join(tmpdir(), 'tamga-age-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Feeds `input` to a fresh Transform in the given slices and returns what it emits. */
async function through(
  stream: NodeJS.ReadWriteStream,
  input: Uint8Array,
  slices: readonly number[] = [input.length],
): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let off = 0;
  for (let i = 0; off < input.length; i++) {
    const n = Math.max(1, slices[i % slices.length]!);
    pieces.push(Buffer.from(input.subarray(off, off + n)));
    off += n;
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    stream,
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

/** Runs `f` and returns the AgeError it throws (or rejects with). */
async function ageError(f: () => unknown): Promise<AgeError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(AgeError);
    return e as AgeError;
  }
  throw new Error('expected an AgeError');
}

/** Both ways in: in memory, and as a stream fed in odd slices. Both must fail the same way. */
async function rejection(file: Uint8Array, identities = [alice.identity]): Promise<AgeError> {
  const inMemory = await ageError(() => decryptBytes(file, identities));
  const streamed = await ageError(() => through(decryptStream(identities), file, [1, 7, 70_000]));
  expect(streamed.code).toBe(inMemory.code);
  expect(streamed.evidence).toEqual(inMemory.evidence);
  return inMemory;
}

/** Compares byte arrays with one memcmp: toEqual walks them element by element, slowly. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)).toBe(true);
}

const plaintextOf = (n: number) => {
  const b = randomBytes(n);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
};

/** Seals one STREAM chunk by hand, to build files our encryptor refuses to write. */
function sealChunk(key: Buffer, index: number, last: boolean, plaintext: Uint8Array): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(index, 5, 6);
  nonce[11] = last ? 1 : 0;
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Builds an age file to alice from hand-made chunks and optional extra stanzas. */
function craft(
  chunks: ReadonlyArray<[plaintext: Uint8Array, last: boolean]>,
  extraStanzas: Stanza[] = [],
): Buffer {
  const fileKey = randomBytes(16);
  const stanzas = [wrapFileKey(fileKey, parseX25519Recipient(alice.recipient)), ...extraStanzas];
  const nonce = randomBytes(16);
  const key = payloadKey(fileKey, nonce);
  return Buffer.concat([
    encodeHeader(stanzas, fileKey),
    nonce,
    ...chunks.map(([p, last], i) => sealChunk(key, i, last, p)),
  ]);
}

/** The offset where the payload chunks start: after the header and the 16-byte nonce. */
function payloadStart(file: Uint8Array): number {
  const b = Buffer.from(file);
  return b.indexOf('\n', b.indexOf('\n---') + 1) + 1 + 16;
}

describe('age encryption round trips', () => {
  const sizes = [0, 1, 65535, 65536, 65537, 3 * 65536, 3 * 65536 + 1];
  it.each(sizes)('%i bytes, in memory and streamed', async (n) => {
    const plaintext = plaintextOf(n);
    const file = encryptBytes(plaintext, [alice.recipient]);
    const chunks = Math.max(1, Math.ceil(n / CHUNK_SIZE));
    expect(file.length - payloadStart(file)).toBe(n + 16 * chunks);
    expectSameBytes(decryptBytes(file, [alice.identity]), plaintext);
    const streamed = await through(encryptStream([alice.recipient]), plaintext, [1000, 65536, 7]);
    expect(streamed.length).toBe(file.length);
    expectSameBytes(await through(decryptStream([alice.identity]), streamed), plaintext);
  });

  it('round-trips random plaintexts through random slicing both ways', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3 * CHUNK_SIZE + 100 }),
        fc.array(fc.integer({ min: 1, max: 2 * SEALED_CHUNK_SIZE }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (plaintext, slices) => {
          const file = await through(encryptStream([alice.recipient]), plaintext, slices);
          const back = await through(decryptStream([alice.identity]), file, slices);
          expectSameBytes(back, plaintext);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('writes a standard header: one X25519 stanza per recipient, then the MAC', () => {
    const file = Buffer.from(encryptBytes(new Uint8Array(0), [alice.recipient, bob.recipient]));
    const lines = file.toString('latin1').split('\n');
    expect(lines[0]).toBe('age-encryption.org/v1');
    expect(lines[1]).toMatch(/^-> X25519 [A-Za-z0-9+/]{43}$/);
    expect(lines[2]).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(lines[3]).toMatch(/^-> X25519 [A-Za-z0-9+/]{43}$/);
    expect(lines[5]).toMatch(/^--- [A-Za-z0-9+/]{43}$/);
    // A fresh file key, nonce and ephemeral share every time.
    const again = Buffer.from(encryptBytes(new Uint8Array(0), [alice.recipient, bob.recipient]));
    expect(again.subarray(0, 60)).not.toEqual(file.subarray(0, 60));
  });

  it('encrypts to several recipients, each of whom can decrypt', () => {
    const plaintext = plaintextOf(70_000);
    const file = encryptBytes(plaintext, [alice.recipient, bob.recipient, carol.recipient]);
    for (const who of [alice, bob, carol]) {
      expectSameBytes(decryptBytes(file, [who.identity]), plaintext);
    }
    // Any identity of a list will do, in any position.
    const other = generateX25519Identity();
    expectSameBytes(decryptBytes(file, [other.identity, carol.identity]), plaintext);
  });

  it('encrypts and decrypts files, leaving no partial file behind', async () => {
    const plaintext = plaintextOf(5 * CHUNK_SIZE + 17);
    writeFileSync(join(dir, 'plain'), plaintext);
    await encryptFile(join(dir, 'plain'), join(dir, 'plain.age'), [alice.recipient]);
    await decryptFile(join(dir, 'plain.age'), join(dir, 'plain.out'), [alice.identity]);
    expectSameBytes(readFileSync(join(dir, 'plain.out')), plaintext);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('age decryption refuses', () => {
  const three = plaintextOf(3 * CHUNK_SIZE);
  const threeFile = encryptBytes(three, [alice.recipient]);
  const start = payloadStart(threeFile);

  it('a file for other identities, saying so', async () => {
    const e = await rejection(threeFile, [bob.identity, carol.identity]);
    expect(e.code).toBe('age.no-identity');
    expect(e.message).toBe("this file is not encrypted to any of the vault's identities");
    expect(e.evidence).toEqual({ stanzaTypes: ['X25519'] });
  });

  it('a header whose MAC does not match', async () => {
    const file = Buffer.from(threeFile);
    const mac = file.indexOf('\n--- ') + 5;
    file[mac] = file[mac] === 0x41 ? 0x42 : 0x41;
    expect((await rejection(file)).code).toBe('age.header-mac');
  });

  it('a header with a stanza added after encryption', async () => {
    const file = Buffer.from(threeFile);
    const at = file.indexOf('\n---') + 1;
    const added = Buffer.concat([
      file.subarray(0, at),
      Buffer.from('-> grease x\n\n'),
      file.subarray(at),
    ]);
    expect((await rejection(added)).code).toBe('age.header-mac');
  });

  it('a file cut inside the header or nonce, or before any chunk', async () => {
    for (const cut of [0, 5, 21, 22, 40, start - 17, start - 16, start - 1, start]) {
      const e = await rejection(threeFile.subarray(0, cut));
      expect([cut, e.code]).toEqual([cut, 'age.truncated']);
    }
  });

  it('a file cut at a chunk boundary', async () => {
    for (const chunks of [1, 2]) {
      const e = await rejection(threeFile.subarray(0, start + chunks * SEALED_CHUNK_SIZE));
      expect(e.code).toBe('age.truncated');
      expect(e.evidence).toEqual({ chunk: chunks - 1, offset: start + chunks * SEALED_CHUNK_SIZE });
    }
  });

  it('a file cut inside its last chunk, which cannot be told from tampering', async () => {
    const e = await rejection(threeFile.subarray(0, threeFile.length - 100));
    expect(e.code).toBe('age.tampered');
    expect(e.evidence).toEqual({ chunk: 2, offset: start + 2 * SEALED_CHUNK_SIZE });
    // Cut to fewer bytes than a tag.
    const short = await rejection(threeFile.subarray(0, start + 2 * SEALED_CHUNK_SIZE + 15));
    expect(short.code).toBe('age.truncated');
  });

  it('a modified chunk, naming it', async () => {
    for (const [chunk, at] of [
      [0, 10],
      [1, SEALED_CHUNK_SIZE - 1],
      [2, SEALED_CHUNK_SIZE - 5],
    ] as const) {
      const file = Buffer.from(threeFile);
      file[start + chunk * SEALED_CHUNK_SIZE + at]! ^= 0x01;
      const e = await rejection(file);
      expect(e.code).toBe('age.tampered');
      expect(e.evidence).toEqual({ chunk, offset: start + chunk * SEALED_CHUNK_SIZE });
    }
  });

  it('a modified payload nonce', async () => {
    const file = Buffer.from(threeFile);
    file[start - 1]! ^= 0x80;
    expect((await rejection(file)).code).toBe('age.tampered');
  });

  it('chunks in another order', async () => {
    const file = Buffer.from(threeFile);
    const c0 = Buffer.from(file.subarray(start, start + SEALED_CHUNK_SIZE));
    file.copy(file, start, start + SEALED_CHUNK_SIZE, start + 2 * SEALED_CHUNK_SIZE);
    c0.copy(file, start + SEALED_CHUNK_SIZE);
    expect((await rejection(file)).evidence).toEqual({ chunk: 0, offset: start });
  });

  it('a chunk after the last chunk', async () => {
    const full = plaintextOf(CHUNK_SIZE);
    for (const next of [plaintextOf(10), plaintextOf(CHUNK_SIZE)]) {
      for (const nextIsLast of [true, false]) {
        const file = craft([
          [full, true],
          [next, nextIsLast],
        ]);
        const e = await rejection(file);
        expect(e.code).toBe('age.chunk-after-last');
        expect(e.evidence).toEqual({
          finalChunk: 0,
          offset: payloadStart(file) + SEALED_CHUNK_SIZE,
        });
      }
    }
  });

  it('data after a full final chunk', async () => {
    const full = encryptBytes(plaintextOf(2 * CHUNK_SIZE), [alice.recipient]);
    for (const extra of [Buffer.from([0]), randomBytes(100), randomBytes(3 * SEALED_CHUNK_SIZE)]) {
      const e = await rejection(Buffer.concat([full, extra]));
      expect(e.code).toBe('age.trailing-data');
      expect(e.evidence).toEqual({ finalChunk: 1, offset: full.length });
    }
  });

  it('data after a short final chunk, as tampering (the chunk boundary is unknowable)', async () => {
    const file = encryptBytes(plaintextOf(100), [alice.recipient]);
    const e = await rejection(Buffer.concat([file, Buffer.from('x')]));
    expect(e.code).toBe('age.tampered');
  });

  it('an empty final chunk after full ones', async () => {
    const file = craft([
      [plaintextOf(CHUNK_SIZE), false],
      [new Uint8Array(0), true],
    ]);
    expect((await rejection(file)).code).toBe('age.empty-last-chunk');
    // The empty final chunk of an empty payload is the one allowed.
    expect(decryptBytes(craft([[new Uint8Array(0), true]]), [alice.identity])).toEqual(
      new Uint8Array(0),
    );
  });

  it('an scrypt stanza mixed with X25519 stanzas', async () => {
    const scrypt = { args: ['scrypt', encodeBase64(randomBytes(16)), '10'], body: randomBytes(32) };
    const e = await rejection(craft([[plaintextOf(5), true]], [scrypt]));
    expect(e.code).toBe('age.scrypt-mixed');
    expect(e.evidence).toEqual({ stanzaTypes: ['X25519', 'scrypt'] });
  });

  it('a passphrase-encrypted file, pointing to the key file', async () => {
    const file = await sealKeyFile(new Uint8Array(3), 'correct horse', { logN: 2 });
    expect((await rejection(file)).code).toBe('age.passphrase-file');
  });

  it('ignoring stanzas of other types', () => {
    const other = { args: ['example.com/enigma', 'x'], body: randomBytes(70) };
    const plaintext = plaintextOf(10);
    const file = craft([[plaintext, true]], [other]);
    expect(decryptBytes(file, [alice.identity])).toEqual(plaintext);
    expect(() => decryptBytes(file, [bob.identity])).toThrow(
      expect.objectContaining({ evidence: { stanzaTypes: ['X25519', 'example.com/enigma'] } }),
    );
  });

  it('malformed X25519 stanzas', async () => {
    const good = wrapFileKey(randomBytes(16), parseX25519Recipient(bob.recipient));
    const share = good.args[1]!;
    const bad: Stanza[] = [
      { args: ['X25519'], body: good.body },
      { args: ['X25519', share, 'extra'], body: good.body },
      { args: ['X25519', `${share.slice(0, -1)}B`], body: good.body },
      { args: ['X25519', share.slice(0, -4)], body: good.body },
      { args: ['X25519', share], body: good.body.subarray(0, 31) },
      { args: ['X25519', share], body: Buffer.concat([good.body, Buffer.from([0])]) },
      // Low-order points: the shared secret would be all zeros.
      { args: ['X25519', encodeBase64(new Uint8Array(32))], body: good.body },
      { args: ['X25519', encodeBase64(Uint8Array.of(1, ...new Uint8Array(31)))], body: good.body },
    ];
    for (const stanza of bad) {
      // Before alice's stanza, so that it is met before her key unwraps.
      const fileKey = randomBytes(16);
      const stanzas = [stanza, wrapFileKey(fileKey, parseX25519Recipient(alice.recipient))];
      const file = Buffer.concat([encodeHeader(stanzas, fileKey), randomBytes(16 + 20)]);
      expect((await rejection(file)).code).toBe('age.bad-stanza');
    }
  });

  it('malformed headers', async () => {
    const lines = Buffer.from(threeFile).toString('latin1', 0, start - 16);
    const cases = [
      lines.replace('v1\n', 'v1\r\n'),
      lines.replace('age-encryption.org/v1', 'age-encryption.org/v2'),
      '-----BEGIN AGE ENCRYPTED FILE-----\n',
      `${lines.slice(0, 22)}--- ${'A'.repeat(43)}\n`,
    ];
    for (const c of cases) {
      expect((await rejection(Buffer.from(c, 'latin1'))).code).toBe('age.header');
    }
    // Binary input is refused within its first line, without reading on.
    const binary = Buffer.from(randomBytes(200).map((b) => (b === 0x0a ? 0 : b)));
    expect((await rejection(binary)).code).toBe('age.header');
  });

  it('bad key strings and empty key lists, before reading anything', () => {
    // A secret key given as a recipient is refused without being quoted.
    let mistake: unknown;
    try {
      encryptStream([alice.identity]);
    } catch (e) {
      mistake = e;
    }
    expect(mistake).toMatchObject({ code: 'age.bad-recipient' });
    expect((mistake as Error).message).not.toContain(alice.identity.slice(16));
    expect(() => encryptStream(['age1notarecipient'])).toThrow(/"age1notarecipient"/);
    expect(() => encryptStream([alice.recipient.toUpperCase()])).toThrow(
      expect.objectContaining({ code: 'age.bad-recipient' }),
    );
    expect(() => decryptStream([alice.recipient])).toThrow(
      expect.objectContaining({ code: 'age.bad-identity' }),
    );
    expect(() => encryptStream([])).toThrow(expect.objectContaining({ code: 'age.no-keys' }));
    expect(() => decryptStream([])).toThrow(expect.objectContaining({ code: 'age.no-keys' }));
  });

  it('emits no plaintext of a chunk that does not authenticate', async () => {
    const file = Buffer.from(encryptBytes(plaintextOf(10), [alice.recipient]));
    file[file.length - 1]! ^= 1;
    const seen: Buffer[] = [];
    const stream = decryptStream([alice.identity]);
    stream.on('data', (b: Buffer) => seen.push(b));
    await expect(pipeline(Readable.from([file]), stream)).rejects.toThrow(AgeError);
    expect(seen).toEqual([]);
  });

  it('and decryptFile leaves no output behind', async () => {
    const bad = Buffer.from(threeFile);
    bad[bad.length - 1]! ^= 1;
    writeFileSync(join(dir, 'bad.age'), bad);
    await expect(
      decryptFile(join(dir, 'bad.age'), join(dir, 'bad.out'), [alice.identity]),
    ).rejects.toThrow(expect.objectContaining({ code: 'age.tampered' }));
    expect(existsSync(join(dir, 'bad.out'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('age streams', () => {
  it('keep memory bounded: 200 MiB generated on the fly, encrypted and decrypted', async () => {
    const MiB = 1 << 20;
    const block = randomBytes(MiB);
    const sent = createHash('sha256');
    async function* source() {
      for (let i = 0; i < 200; i++) {
        const b = Buffer.from(block);
        b.writeUInt32BE(i, 0);
        sent.update(b);
        yield b;
      }
    }
    const received = createHash('sha256');
    const before = process.memoryUsage().rss;
    let peak = before;
    await pipeline(
      Readable.from(source()),
      encryptStream([alice.recipient]),
      decryptStream([alice.identity]),
      new Writable({
        write(chunk: Buffer, _e, done) {
          received.update(chunk);
          peak = Math.max(peak, process.memoryUsage().rss);
          done();
        },
      }),
    );
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    // Buffering the file would cost at least 200 MiB; a few chunks in flight cost a few MiB,
    // and the rest is garbage the collector has not returned yet.
    expect(peak - before).toBeLessThan(64 * MiB);
  });
});
