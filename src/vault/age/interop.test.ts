/**
 * Interoperability with the reference age CLI (filippo.io/age, Debian's `age` package) and
 * with typage (the `age-encryption` package), both ways: files we write, they read; files
 * they write, we read; files we refuse, the CLI refuses too. With CI=true a missing `age`
 * fails this file instead of skipping it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK_SIZE } from './payload.js';
import {
  decryptBytes,
  decryptFile,
  encryptBytes,
  encryptFile,
  generateX25519Identity,
  x25519Recipient,
} from './stream.js';

const ageVersion = spawnSync('age', ['--version'], { encoding: 'utf8' });
const ageMissing = ageVersion.status !== 0;
if (ageMissing && process.env.CI) {
  throw new Error('CI needs the reference age CLI (apt-get install age), and it is missing');
}

const dir = mkdtempSync(join(tmpdir(), 'tamga-age-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sizes = [0, 1, 65535, CHUNK_SIZE, 65537, 3 * CHUNK_SIZE, 1_000_003];
const alice = generateX25519Identity();
const bob = generateX25519Identity();

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected);
}

/** Writes an identity file as age-keygen does, and returns its path. */
function identityFile(name: string, identity: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `# created: by the Tamga tests\n# public key: ${x25519Recipient(identity)}\n${identity}\n`,
  );
  return path;
}

/** Runs the age CLI; returns its exit status, stdout and stderr. */
function age(args: string[], input?: Uint8Array) {
  const r = spawnSync('age', args, { input, maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe.skipIf(ageMissing)(`the reference age CLI (${ageVersion.stdout?.trim()})`, () => {
  const aliceFile = identityFile('alice.txt', alice.identity);
  const bobFile = identityFile('bob.txt', bob.identity);

  it.each(sizes)('decrypts our file of %i bytes', (n) => {
    const plaintext = randomBytes(n);
    const r = age(['-d', '-i', aliceFile], encryptBytes(plaintext, [alice.recipient]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.equals(plaintext)).toBe(true);
  });

  it.each(sizes)('encrypts a file of %i bytes that we decrypt', (n) => {
    const plaintext = randomBytes(n);
    const r = age(['-e', '-r', alice.recipient], plaintext);
    expect(r.status).toBe(0);
    expect(sameBytes(decryptBytes(r.stdout, [alice.identity]), plaintext)).toBe(true);
  });

  it('agrees on multiple recipients, both ways', () => {
    const plaintext = randomBytes(100_000);
    const ours = encryptBytes(plaintext, [alice.recipient, bob.recipient]);
    for (const f of [aliceFile, bobFile]) {
      expect(age(['-d', '-i', f], ours).stdout.equals(plaintext)).toBe(true);
    }
    const theirs = age(['-r', alice.recipient, '-r', bob.recipient], plaintext).stdout;
    for (const who of [alice, bob]) {
      expect(sameBytes(decryptBytes(theirs, [who.identity]), plaintext)).toBe(true);
    }
    const eve = generateX25519Identity();
    expect(() => decryptBytes(theirs, [eve.identity])).toThrow(
      expect.objectContaining({ code: 'age.no-identity' }),
    );
    expect(age(['-d', '-i', identityFile('eve.txt', eve.identity)], ours).status).not.toBe(0);
  });

  it('agrees on keys: age-keygen’s identities give our recipients, and ours give its', () => {
    const keygen = execFileSync('age-keygen', {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const identity = keygen.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
    const recipient = /# public key: (age1\S+)/.exec(keygen)![1];
    expect(x25519Recipient(identity)).toBe(recipient);
    const plaintext = randomBytes(1000);
    expect(
      sameBytes(decryptBytes(age(['-r', recipient!], plaintext).stdout, [identity]), plaintext),
    ).toBe(true);
    const derived = execFileSync('age-keygen', ['-y'], {
      input: `${alice.identity}\n`,
      encoding: 'utf8',
    });
    expect(derived.trim()).toBe(alice.recipient);
  });

  it('agrees on files: encryptFile for age -d, age -o for decryptFile', async () => {
    const plaintext = randomBytes(4 * CHUNK_SIZE + 3);
    writeFileSync(join(dir, 'doc.pdf'), plaintext);
    await encryptFile(join(dir, 'doc.pdf'), join(dir, 'doc.pdf.age'), [bob.recipient]);
    execFileSync('age', [
      '-d',
      '-i',
      bobFile,
      '-o',
      join(dir, 'doc.cli'),
      join(dir, 'doc.pdf.age'),
    ]);
    expect(readFileSync(join(dir, 'doc.cli')).equals(plaintext)).toBe(true);
    execFileSync('age', [
      '-r',
      alice.recipient,
      '-o',
      join(dir, 'doc.cli.age'),
      join(dir, 'doc.pdf'),
    ]);
    await decryptFile(join(dir, 'doc.cli.age'), join(dir, 'doc.ours'), [alice.identity]);
    expect(readFileSync(join(dir, 'doc.ours')).equals(plaintext)).toBe(true);
  });

  it('refuses what we refuse: tampered, truncated, trailing data', () => {
    const file = Buffer.from(encryptBytes(randomBytes(2 * CHUNK_SIZE), [alice.recipient]));
    const tampered = Buffer.from(file);
    tampered[tampered.length - 70_000]! ^= 1;
    const cases: Array<[Uint8Array, string]> = [
      [tampered, 'age.tampered'],
      [file.subarray(0, file.length - CHUNK_SIZE - 16), 'age.truncated'],
      [Buffer.concat([file, Buffer.from('tail')]), 'age.trailing-data'],
    ];
    for (const [bad, code] of cases) {
      expect(() => decryptBytes(bad, [alice.identity])).toThrow(expect.objectContaining({ code }));
      expect(age(['-d', '-i', aliceFile], bad).status).not.toBe(0);
    }
  });

  it('writes armor we refuse with a clear message (the vault stores binary files)', () => {
    const armored = age(['-a', '-r', alice.recipient], Buffer.from('x')).stdout;
    expect(() => decryptBytes(armored, [alice.identity])).toThrow(/ASCII-armored/);
  });
});

describe('typage (age-encryption)', () => {
  it.each(sizes)('decrypts our file of %i bytes', async (n) => {
    const plaintext = randomBytes(n);
    const d = new Decrypter();
    d.addIdentity(alice.identity);
    const back = await d.decrypt(encryptBytes(plaintext, [alice.recipient]));
    expect(sameBytes(back, plaintext)).toBe(true);
  });

  it.each(sizes)('encrypts a file of %i bytes that we decrypt', async (n) => {
    const plaintext = randomBytes(n);
    const e = new Encrypter();
    e.addRecipient(alice.recipient);
    expect(sameBytes(decryptBytes(await e.encrypt(plaintext), [alice.identity]), plaintext)).toBe(
      true,
    );
  });

  it('agrees on multiple recipients, both ways', async () => {
    const plaintext = randomBytes(70_000);
    const e = new Encrypter();
    e.addRecipient(alice.recipient);
    e.addRecipient(bob.recipient);
    const theirs = await e.encrypt(plaintext);
    const ours = encryptBytes(plaintext, [alice.recipient, bob.recipient]);
    for (const who of [alice, bob]) {
      expect(sameBytes(decryptBytes(theirs, [who.identity]), plaintext)).toBe(true);
      const d = new Decrypter();
      d.addIdentity(who.identity);
      expect(sameBytes(await d.decrypt(ours), plaintext)).toBe(true);
    }
  });

  it('agrees on keys', async () => {
    const identity = await generateIdentity();
    expect(x25519Recipient(identity)).toBe(await identityToRecipient(identity));
    expect(await identityToRecipient(alice.identity)).toBe(alice.recipient);
  });
});
