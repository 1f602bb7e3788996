/**
 * What mirrors call a vault's encrypted files. The vault names a blob by the SHA-256 of its
 * plaintext, which must not leave the vault: a mirror holder could hash a document they suspect
 * the union holds and look for the name. Mirrors see HMAC-SHA-256(key, "tamga/mirror-blob/v1\n"
 * ‖ sha256 hex) instead, with a per-vault key kept in the vault's meta (and, encrypted, in
 * secrets.age for restores): stable across pulls, opaque without the key. A restore recovers
 * the plaintext hash by decrypting the blob and hashing it.
 */
import { createHmac } from 'node:crypto';
import { MirrorError } from './errors.js';

const DOMAIN = 'tamga/mirror-blob/v1\n';

/** Returns the mirror name of the blob whose plaintext has SHA-256 `sha256` (hex). */
export function blobName(key: Buffer, sha256: string): string {
  return createHmac('sha256', key).update(DOMAIN).update(sha256).digest('hex');
}

/** Returns the blob-name key from its hex form in meta; throws MirrorError when malformed. */
export function parseBlobNameKey(hex: string | undefined): Buffer {
  if (hex === undefined || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new MirrorError(
      'mirror.no-blob-key',
      'this vault has no mirror key yet: issue a token first with `tamga mirror token`',
    );
  }
  return Buffer.from(hex, 'hex');
}
