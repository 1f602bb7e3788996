/**
 * The vault's secrets: the log's Ed25519 signing key (C2SP signed-note key string) and the age
 * X25519 identity its blobs are encrypted to. They live together in one key file, encrypted
 * with the vault passphrase (age, scrypt). Only public halves are stored in the database.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type Ed25519Signer, parseSignerKey } from '../log/note.js';
import { openKeyFile, sealKeyFile } from './age/index.js';
import { KeyError } from './errors.js';

/** The secrets in a vault's key file. Never logged, never sent anywhere. */
export interface VaultKeys {
  readonly origin: string;
  /** `PRIVATE+KEY+<origin>+<hex8>+<base64>`, as Go's x/mod note. */
  readonly logSignerKey: string;
  /** `AGE-SECRET-KEY-1…` */
  readonly ageIdentity: string;
}

const keyFileSchema = z.object({
  format: z.literal('tamga-keys/v1'),
  origin: z.string().min(1),
  logSignerKey: z.string().startsWith('PRIVATE+KEY+'),
  ageIdentity: z.string().startsWith('AGE-SECRET-KEY-1'),
});

/** Returns the key file bytes for `keys`, encrypted with `passphrase`. */
export async function encodeKeyFile(
  keys: VaultKeys,
  passphrase: string,
  options: { logN?: number } = {},
): Promise<Uint8Array> {
  const json = JSON.stringify({ format: 'tamga-keys/v1', ...keys });
  return sealKeyFile(new TextEncoder().encode(json), passphrase, options);
}

/**
 * Reads and decrypts the key file at `file`. Throws KeyError for a missing file, a wrong
 * passphrase (the age error's message) or contents that are not a Tamga key file.
 */
export async function readKeyFile(file: string, passphrase: string): Promise<VaultKeys> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new KeyError(
      'keys.missing',
      `cannot read the vault key file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const plain = await openKeyFile(bytes, passphrase);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch {
    throw new KeyError('keys.corrupt', `the key file ${file} opened but does not hold Tamga keys`);
  }
  const keys = keyFileSchema.safeParse(parsed);
  if (!keys.success)
    throw new KeyError('keys.corrupt', `the key file ${file} opened but does not hold Tamga keys`);
  return {
    origin: keys.data.origin,
    logSignerKey: keys.data.logSignerKey,
    ageIdentity: keys.data.ageIdentity,
  };
}

/** Returns the log signer of `keys`, checking that it signs for the vault's origin. */
export function logSigner(keys: VaultKeys): Ed25519Signer {
  const signer = parseSignerKey(keys.logSignerKey);
  if (signer.name !== keys.origin) {
    throw new KeyError(
      'keys.origin',
      `the key file's signing key is for ${signer.name}, not for this vault's log ${keys.origin}`,
    );
  }
  return signer;
}
