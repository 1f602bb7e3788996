/**
 * The passphrase-protected key file. The age CLI reads passphrases only from a terminal, so
 * these tests give it one with util-linux's `script`, which runs it on a pseudo-terminal fed
 * from our stdin. With CI=true, a missing `age` or `script` fails this file.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, Encrypter } from 'age-encryption';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyFileError } from './errors.js';
import { encodeBase64, encodeHeader } from './header.js';
import { openKeyFile, sealKeyFile } from './keyfile.js';
import { encryptBytes, generateX25519Identity } from './stream.js';

const missing = ['age', 'script'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
if (missing.length > 0 && process.env.CI) {
  throw new Error(`CI needs ${missing.join(' and ')} to test key files against the age CLI`);
}

const dir = mkdtempSync(join(tmpdir(), 'tamga-keyfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const document = new TextEncoder().encode(
  JSON.stringify({ vault: 'union-archive', identity: generateX25519Identity().identity }),
);
const passphrase = 'тамга: seized-ledger-boat-violet-nine';
const LOG_N = 10; // Fast for tests; the default is 18.

async function keyFileError(f: () => Promise<unknown>): Promise<KeyFileError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyFileError);
    return e as KeyFileError;
  }
  throw new Error('expected a KeyFileError');
}

/** Runs the age CLI on a pseudo-terminal that types `typed`; returns its exit status. */
function ageOnTerminal(args: string[], typed: string): number | null {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const r = spawnSync('script', ['-qec', `age ${quoted}`, '/dev/null'], {
    input: typed,
    timeout: 30_000,
  });
  return r.status;
}

describe('key file', () => {
  it('opens with its passphrase', async () => {
    const sealed = await sealKeyFile(document, passphrase, { logN: LOG_N });
    expect(Buffer.from(sealed.subarray(0, 22)).toString()).toBe('age-encryption.org/v1\n');
    expect(Buffer.from(sealed).toString('latin1')).toMatch(/\n-> scrypt [A-Za-z0-9+/]{22} 10\n/);
    expect(await openKeyFile(sealed, passphrase)).toEqual(document);
  });

  it('uses typage’s default work factor, 18, unless told otherwise', async () => {
    const sealed = await sealKeyFile(new Uint8Array([1]), 'pw');
    expect(Buffer.from(sealed).toString('latin1')).toMatch(/\n-> scrypt \S{22} 18\n/);
    expect(await openKeyFile(sealed, 'pw')).toEqual(new Uint8Array([1]));
  });

  it('round-trips empty and multi-chunk documents', async () => {
    for (const doc of [new Uint8Array(0), randomBytes(3 * 65536 + 5)]) {
      const back = await openKeyFile(await sealKeyFile(doc, 'pw', { logN: 2 }), 'pw');
      expect(Buffer.from(back).equals(doc)).toBe(true);
    }
  });

  it('refuses a wrong passphrase, saying so', async () => {
    const sealed = await sealKeyFile(document, passphrase, { logN: LOG_N });
    const e = await keyFileError(() => openKeyFile(sealed, `${passphrase} `));
    expect(e.code).toBe('keyfile.wrong-passphrase');
    expect(e.message).toBe('wrong passphrase for the vault key file');
  });

  it('reports damage as corruption where it can be told from a wrong passphrase', async () => {
    const sealed = Buffer.from(await sealKeyFile(document, passphrase, { logN: LOG_N }));
    const macAt = sealed.indexOf('\n--- ') + 5;
    const badMac = Buffer.from(sealed);
    badMac[macAt] = badMac[macAt] === 0x41 ? 0x42 : 0x41;
    const badPayload = Buffer.from(sealed);
    badPayload[badPayload.length - 3]! ^= 1;
    const x25519 = encryptBytes(document, [generateX25519Identity().recipient]);
    const hugeWorkFactor = Buffer.from(
      sealed.toString('latin1').replace(/(-> scrypt \S+) 10\n/, '$1 40\n'),
      'latin1',
    );
    const cases: Array<[string, Uint8Array]> = [
      ['a modified MAC', badMac],
      ['a modified payload', badPayload],
      ['a file cut short', sealed.subarray(0, sealed.length - 1)],
      ['a file without payload', sealed.subarray(0, sealed.indexOf('\n--- ') + 49)],
      ['trailing data', Buffer.concat([sealed, Buffer.from('x')])],
      ['an X25519 file', x25519],
      ['a work factor that would take hours', hugeWorkFactor],
      ['garbage', randomBytes(300)],
      ['nothing', new Uint8Array(0)],
    ];
    for (const [what, bytes] of cases) {
      const e = await keyFileError(() => openKeyFile(bytes, passphrase));
      expect([what, e.code]).toEqual([what, 'keyfile.corrupt']);
    }
  });

  it('cannot tell a modified salt from a wrong passphrase, and says wrong passphrase', async () => {
    const sealed = Buffer.from(await sealKeyFile(document, passphrase, { logN: LOG_N }));
    const salt = sealed.indexOf('-> scrypt ') + 10;
    sealed[salt] = sealed[salt] === 0x41 ? 0x42 : 0x41;
    expect((await keyFileError(() => openKeyFile(sealed, passphrase))).code).toBe(
      'keyfile.wrong-passphrase',
    );
  });

  it('refuses an scrypt stanza mixed with others', async () => {
    const fileKey = randomBytes(16);
    const stanzas = [
      { args: ['scrypt', encodeBase64(randomBytes(16)), '10'], body: randomBytes(32) },
      { args: ['X25519', encodeBase64(randomBytes(32))], body: randomBytes(32) },
    ];
    const file = Buffer.concat([encodeHeader(stanzas, fileKey), randomBytes(40)]);
    expect((await keyFileError(() => openKeyFile(file, passphrase))).code).toBe('keyfile.corrupt');
  });

  it('refuses an empty passphrase and work factors outside 1‥20', async () => {
    for (const [pw, logN] of [
      ['', 10],
      ['pw', 0],
      ['pw', 21],
      ['pw', 1.5],
    ] as const) {
      const e = await keyFileError(() => sealKeyFile(document, pw, { logN }));
      expect(e.code).toBe('keyfile.bad-parameter');
    }
  });

  it('interoperates with typage’s passphrase encryption, both ways', async () => {
    const d = new Decrypter();
    d.addPassphrase(passphrase);
    expect(await d.decrypt(await sealKeyFile(document, passphrase, { logN: LOG_N }))).toEqual(
      document,
    );
    const e = new Encrypter();
    e.setScryptWorkFactor(LOG_N);
    e.setPassphrase(passphrase);
    expect(await openKeyFile(await e.encrypt(document), passphrase)).toEqual(document);
  });
});

describe.skipIf(missing.length > 0)('key file and the reference age CLI', () => {
  it('age -d opens our key file with the passphrase, and refuses another', async () => {
    const sealed = await sealKeyFile(document, passphrase, { logN: LOG_N });
    writeFileSync(join(dir, 'vault.key.age'), sealed);
    const out = join(dir, 'vault.key.json');
    expect(ageOnTerminal(['-d', '-o', out, join(dir, 'vault.key.age')], `${passphrase}\n`)).toBe(0);
    expect(new Uint8Array(readFileSync(out))).toEqual(document);
    const wrong = join(dir, 'wrong.json');
    expect(ageOnTerminal(['-d', '-o', wrong, join(dir, 'vault.key.age')], 'not it\n')).not.toBe(0);
  });

  it('we open a key file written by age -p (work factor 18)', async () => {
    writeFileSync(join(dir, 'doc.json'), document);
    const out = join(dir, 'cli.key.age');
    const typed = `${passphrase}\n${passphrase}\n`;
    expect(ageOnTerminal(['-p', '-o', out, join(dir, 'doc.json')], typed)).toBe(0);
    const sealed = readFileSync(out);
    expect(sealed.toString('latin1')).toMatch(/\n-> scrypt \S{22} 18\n/);
    expect(await openKeyFile(sealed, passphrase)).toEqual(document);
  });
});
