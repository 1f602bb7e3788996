/** Where a vault keeps its parts, inside its directory. */
import { join } from 'node:path';

/** The files and folders of a vault directory. */
export interface VaultLayout {
  readonly dir: string;
  /** SQLite database: records, salts, tiles, checkpoints. */
  readonly database: string;
  /** The passphrase-protected key file (age, scrypt): log signing key and age identity. */
  readonly keyFile: string;
  /** Encrypted blobs, `blobs/<first two hex>/<sha256>.age`. */
  readonly blobs: string;
  /** Blobs being written; anything left here after a crash is garbage. */
  readonly blobsTmp: string;
  /**
   * The vault's own trust statement (`tamga-trust/v1`), kept outside the database so that a
   * database re-signed with another key disagrees with it (src/vault/trust-file.ts).
   */
  readonly trustFile: string;
}

/** Returns the layout of the vault in `dir`. */
export function vaultLayout(dir: string): VaultLayout {
  return {
    dir,
    database: join(dir, 'vault.db'),
    keyFile: join(dir, 'keys.age'),
    blobs: join(dir, 'blobs'),
    blobsTmp: join(dir, 'blobs', 'tmp'),
    trustFile: join(dir, 'trust.txt'),
  };
}

/** Returns the path of the blob whose plaintext has SHA-256 `sha256` (lowercase hex). */
export function blobPath(layout: VaultLayout, sha256: string): string {
  return join(layout.blobs, sha256.slice(0, 2), `${sha256}.age`);
}
