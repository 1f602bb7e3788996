/**
 * A vault: one organisation's store. A directory with a SQLite database (records, salts, tiles,
 * checkpoints), encrypted blobs, and a passphrase-protected key file. `Vault.init` creates one;
 * `Vault.open` opens one for reading; `unlock` reads the keys for sealing and decrypting.
 */

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatTrustStatement } from '../evidence/trust.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type Verifier } from '../log/note.js';
import { generateX25519Identity, x25519Recipient } from './age/index.js';
import { openDatabase, type VaultDatabase } from './db.js';
import { VaultError } from './errors.js';
import { encodeKeyFile, logSigner, readKeyFile, type VaultKeys } from './keys.js';
import { type VaultLayout, vaultLayout } from './layout.js';
import { Sequencer } from './sequencer.js';

/** The public facts of a vault, stored in its database. */
export interface VaultInfo {
  readonly origin: string;
  /** The log's verifier key string, to publish. */
  readonly logVerifierKey: string;
  /** The age recipient blobs are encrypted to. */
  readonly ageRecipient: string;
  readonly created: string;
}

/** Options of `Vault.init`. */
export interface InitOptions {
  /** The log's origin line, e.g. `tamga.union.example/log`. It names the log everywhere. */
  readonly origin: string;
  readonly passphrase: string;
  /** scrypt work factor of the key file (2^logN); lower only in tests. */
  readonly logN?: number;
}

/** Writes a file durably: to a temporary name, fsync, rename, fsync the directory. */
export async function writeFileDurably(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, data, { mode: 0o600 });
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await rename(tmp, file);
  syncDirectory(dirname(file));
}

/** Flushes the entries (new and renamed files) of several directories to disk, in parallel. */
export async function syncDirectories(dirs: Iterable<string>): Promise<void> {
  await Promise.all(
    [...dirs].map(async (dir) => {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }),
  );
}

/** Flushes a directory's entries (new and renamed files) to disk. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class Vault {
  private constructor(
    readonly layout: VaultLayout,
    readonly db: VaultDatabase,
    readonly info: VaultInfo,
  ) {}

  /**
   * Creates a vault in `dir` (which must not exist, or be empty) with fresh keys. Throws
   * VaultError when the directory holds anything, FormatError for an invalid origin.
   */
  static async init(dir: string, options: InitOptions): Promise<Vault> {
    const layout = vaultLayout(dir);
    // Validates the origin as a key name before anything is written.
    const logSignerKey = generateSignerKey(options.origin, randomBytes(32));
    if (options.passphrase.length === 0) {
      throw new VaultError('vault.passphrase', 'the vault passphrase must not be empty');
    }
    const existing = await readdir(dir).catch((e: NodeJS.ErrnoException): string[] => {
      if (e.code === 'ENOENT') return [];
      throw new VaultError('vault.dir', `cannot use ${dir} for a vault: ${e.message}`, {
        cause: e,
      });
    });
    if (existing.length > 0) {
      const what = existing.includes('vault.db')
        ? 'a vault already exists there'
        : 'it is not empty';
      throw new VaultError('vault.exists', `cannot create a vault in ${dir}: ${what}`);
    }
    const age = generateX25519Identity();
    const keys: VaultKeys = { origin: options.origin, logSignerKey, ageIdentity: age.identity };
    await mkdir(layout.blobsTmp, { recursive: true, mode: 0o700 });
    await writeFileDurably(
      layout.keyFile,
      await encodeKeyFile(
        keys,
        options.passphrase,
        options.logN === undefined ? {} : { logN: options.logN },
      ),
    );
    const info: VaultInfo = {
      origin: options.origin,
      logVerifierKey: parseSignerKey(logSignerKey).verifierKey,
      ageRecipient: age.recipient,
      created: new Date().toISOString(),
    };
    const db = openDatabase(layout.database, { create: true });
    const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      put.run('format', 'tamga-vault/v1');
      for (const [k, v] of Object.entries(info)) put.run(k, v);
    })();
    // The first trust statement: the log's key, no witness yet (src/vault/trust-file.ts).
    await writeFileDurably(
      layout.trustFile,
      formatTrustStatement({
        log: { origin: info.origin, verifierKey: info.logVerifierKey },
        witnesses: { quorum: 0, verifierKeys: [] },
      }),
    );
    return new Vault(layout, db, info);
  }

  /** Opens the vault in `dir`. Throws VaultError when there is none, or of another version. */
  static async open(dir: string, options: { readonly?: boolean } = {}): Promise<Vault> {
    const layout = vaultLayout(dir);
    const s = await stat(layout.database).catch(() => null);
    if (s === null) {
      throw new VaultError(
        'vault.missing',
        `no Tamga vault in ${dir}: create one with \`tamga init ${dir}\`, or name another with --vault`,
      );
    }
    const db = openDatabase(layout.database, options.readonly ? { readonly: true } : {});
    let rows: Array<{ key: string; value: string }>;
    try {
      rows = db.prepare('SELECT key, value FROM meta').all() as Array<{
        key: string;
        value: string;
      }>;
    } catch {
      db.close();
      throw new VaultError(
        'vault.not-a-vault',
        `${layout.database} is an SQLite database, but not a Tamga vault's`,
      );
    }
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    if (meta.get('format') !== 'tamga-vault/v1') {
      db.close();
      throw new VaultError(
        'vault.version',
        `${dir} holds a vault of format ${meta.get('format') ?? 'unknown'}; this Tamga reads tamga-vault/v1`,
      );
    }
    const info: VaultInfo = {
      origin: meta.get('origin')!,
      logVerifierKey: meta.get('logVerifierKey')!,
      ageRecipient: meta.get('ageRecipient')!,
      created: meta.get('created')!,
    };
    if (!options.readonly) await cleanTemporaryBlobs(layout);
    return new Vault(layout, db, info);
  }

  /** The verifier of the log's signatures. */
  logVerifier(): Verifier {
    return parseVerifierKey(this.info.logVerifierKey);
  }

  /**
   * Reads the vault's keys with `passphrase`. Throws KeyError (wrong passphrase, missing or
   * corrupt key file) or VaultError when the keys do not belong to this vault.
   */
  async unlock(passphrase: string): Promise<VaultKeys> {
    const keys = await readKeyFile(this.layout.keyFile, passphrase);
    if (
      keys.origin !== this.info.origin ||
      logSigner(keys).verifierKey !== this.info.logVerifierKey ||
      x25519Recipient(keys.ageIdentity) !== this.info.ageRecipient
    ) {
      throw new VaultError(
        'vault.keys-mismatch',
        `the key file ${this.layout.keyFile} holds the keys of another vault`,
      );
    }
    return keys;
  }

  /** Returns the sequencer that appends to this vault's log with the unlocked keys. */
  sequencer(keys: VaultKeys): Sequencer {
    return new Sequencer(this.db, this.info.origin, logSigner(keys));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}

/**
 * Removes blobs left half-written by an interrupted seal; they were never acknowledged.
 * Temporary names start with the writer's process id, so a seal still running is left alone.
 */
async function cleanTemporaryBlobs(layout: VaultLayout): Promise<void> {
  const names = await readdir(layout.blobsTmp).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => !processAlive(Number.parseInt(n, 10)))
      .map((n) => rm(join(layout.blobsTmp, n), { force: true })),
  );
}

/** True when a process with id `pid` runs on this machine (this one included). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
