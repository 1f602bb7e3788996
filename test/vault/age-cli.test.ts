/**
 * A vault's blobs are plain age files: Debian's reference `age` CLI decrypts them with the
 * vault's identity, byte for byte. With CI=true a missing `age` fails this file instead of
 * skipping it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { x25519Recipient } from '../../src/vault/age/index.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { blobPath } from '../../src/vault/layout.js';
import { listRecords } from '../../src/vault/query.js';
import { sealPaths } from '../../src/vault/seal.js';
import type { Vault } from '../../src/vault/vault.js';
import { newVault, removeTemp, tempDir, writeTree } from './helpers.js';

const ageVersion = spawnSync('age', ['--version'], { encoding: 'utf8' });
const ageMissing = ageVersion.status !== 0;
if (ageMissing && process.env.CI) {
  throw new Error('CI needs the reference age CLI (apt-get install age), and it is missing');
}

describe.skipIf(ageMissing)(`vault blobs and the age CLI (${ageVersion.stdout?.trim()})`, () => {
  let root: string;
  let vault: Vault;
  let keys: VaultKeys;
  let identityFile: string;
  const contents: Record<string, Uint8Array> = {
    'docs/empty.bin': new Uint8Array(0),
    'docs/small.txt': new TextEncoder().encode('Устав профсоюза, редакция 2023 г.'),
    // Two full 64 KiB chunks and a partial one.
    'docs/scan.bin': Uint8Array.from({ length: 2 * 65536 + 1234 }, (_, i) => (i * 31 + 7) & 0xff),
  };

  beforeAll(async () => {
    root = tempDir();
    ({ vault, keys } = await newVault(join(root, 'vault')));
    writeTree(root, contents);
    const summary = await sealPaths(vault, keys, [join(root, 'docs')], { author: 't' });
    expect(summary.sealed).toBe(3);
    // The identity as age-keygen writes it, readable by its owner only.
    identityFile = join(root, 'identity.txt');
    writeFileSync(
      identityFile,
      `# public key: ${x25519Recipient(keys.ageIdentity)}\n${keys.ageIdentity}\n`,
      { mode: 0o600 },
    );
  });

  afterAll(() => {
    vault.close();
    removeTemp(root);
  });

  it('the identity file is mode 600 and names the vault recipient', () => {
    expect(statSync(identityFile).mode & 0o777).toBe(0o600);
    expect(x25519Recipient(keys.ageIdentity)).toBe(vault.info.ageRecipient);
  });

  it('age -d -i decrypts every blob to the sealed bytes', () => {
    const records = listRecords(vault);
    expect(records).toHaveLength(3);
    for (const s of records) {
      const path = (s.record.body as { path: string }).path;
      const file = s.record.files[0]!;
      const blob = blobPath(vault.layout, file.sha256);
      expect(blob).toMatch(new RegExp(`/blobs/${file.sha256.slice(0, 2)}/${file.sha256}\\.age$`));
      const r = spawnSync('age', ['-d', '-i', identityFile, blob], { maxBuffer: 1 << 24 });
      expect(r.stderr.toString(), path).toBe('');
      expect(r.status, path).toBe(0);
      expect(Buffer.compare(r.stdout, Buffer.from(contents[path]!)), path).toBe(0);
    }
  });

  it('age refuses a blob with one byte changed', () => {
    const file = listRecords(vault)[0]!.record.files[0]!;
    const bytes = readFileSync(blobPath(vault.layout, file.sha256));
    bytes[bytes.length - 1]! ^= 1;
    const r = spawnSync('age', ['-d', '-i', identityFile], { input: bytes });
    expect(r.status).not.toBe(0);
  });
});
