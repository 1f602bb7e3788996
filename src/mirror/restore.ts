/**
 * `tamga restore`: rebuild a vault from a mirror (a directory, or a server: the vault itself or a
 * served mirror), with the vault's key file and passphrase.
 *
 * Trust comes from the key file, opened with the passphrase: the log key it holds must sign
 * every checkpoint, and the age identity must open every record bundle and every file. Each
 * record's commitment is recomputed from its canonical JSON and salt and must be the entry the
 * log published; the tree is rebuilt and every checkpoint's root must match; every file is
 * decrypted and hashed, and kept only when a record names that hash and size. The checkpoints
 * are the ones the log signed, with their cosignatures, byte for byte.
 *
 * Nothing of the mirror is taken on trust but the witness list and the vault's meta (quorum,
 * blob-name key), which the log does not sign: the restore prints them, to check.
 *
 * The vault is built in `<DIR>.partial` and renamed to DIR only once complete and checked by
 * fsck, so an interrupted restore never looks like a vault.
 *
 * The vault built is marked as restored (src/vault/restored.ts): a read-only copy, which seals
 * nothing and asks no witness, until a person takes it over (`tamga takeover`). Sealing in a copy
 * while the original still seals would fork the log, and the witnesses would refuse one of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openCheckpoint } from '../log/checkpoint.js';
import { bytesEqual, decodeBase64, encodeUtf8 } from '../log/encoding.js';
import { TamgaError } from '../log/errors.js';
import { parseVerifierKey } from '../log/note.js';
import { type EntryTile, parseEntryBundle, tilesForSize } from '../log/tiles.js';
import { commitCanonical } from '../records/commitment.js';
import { canonicalize } from '../records/jcs.js';
import { parseRecord } from '../records/record.js';
import { decryptBytes, decryptStream, x25519Recipient } from '../vault/age/index.js';
import { fsck } from '../vault/fsck.js';
import {
  createImportedVault,
  type ImportedCheckpoint,
  type ImportedRecord,
  LogImporter,
} from '../vault/import.js';
import { logSigner, readKeyFile, type VaultKeys } from '../vault/keys.js';
import { blobPath } from '../vault/layout.js';
import { markRestored } from '../vault/restored.js';
import { syncDirectories, syncDirectory, type Vault } from '../vault/vault.js';
import { addWitness, setQuorum, storeCosignatures } from '../vault/witnesses.js';
import { MirrorError } from './errors.js';
import {
  type BlobEntry,
  type MirrorInfo,
  parseDocument,
  recordLineSchema,
  secretsSchema,
} from './format.js';
import type { MirrorSource } from './source.js';
import { prefetch } from './streams.js';

/** How far a restore has got. */
export interface RestoreProgress {
  readonly phase: 'records' | 'files';
  readonly done: number;
  readonly total: number;
  readonly bytes?: number;
  readonly totalBytes?: number;
}

/** Options of `restoreVault`. */
export interface RestoreOptions {
  readonly source: MirrorSource;
  /** The vault directory to create: absent, or empty. */
  readonly vault: string;
  /** Asked once the key file is in hand. */
  readonly passphrase: () => Promise<string>;
  /** The key file to use instead of the one the mirror holds (`--key`). */
  readonly keyFile?: Uint8Array;
  /** Files fetched and decrypted at once (default 4). */
  readonly concurrency?: number;
  readonly onProgress?: (p: RestoreProgress) => void;
}

/** What a restore rebuilt. */
export interface RestoreReport {
  readonly origin: string;
  readonly size: number;
  readonly checkpoints: number;
  readonly files: number;
  readonly bytes: number;
  /** Encrypted files the mirror held that no restored record names (left out). */
  readonly unreferenced: number;
  readonly witnesses: ReadonlyArray<{ name: string; url: string }>;
  readonly quorum: number;
  readonly cosignatures: number;
  /** Where it was restored from: the vault is a read-only copy until taken over. */
  readonly restoredFrom: string;
}

const MARKER = '.tamga-restore-in-progress';
const WINDOW = 8;

/**
 * Restores the vault `opts.vault` from `opts.source`; resolves to what it holds. Throws
 * MirrorError when the directory is not empty, the mirror is incomplete or does not match the
 * log; KeyError for a wrong passphrase; IntegrityError when a record or checkpoint disagrees.
 * On any failure nothing is left at `opts.vault`.
 */
export async function restoreVault(opts: RestoreOptions): Promise<RestoreReport> {
  const target = opts.vault;
  const entries = await readdir(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  if (entries.length > 0) {
    throw new MirrorError(
      'restore.not-empty',
      `${target} is not empty; restore into a new or empty directory`,
    );
  }
  const partial = join(dirname(target), `${basename(target)}.partial`);
  if (existsSync(partial)) {
    if (!existsSync(join(partial, MARKER))) {
      throw new MirrorError(
        'restore.partial-exists',
        `${partial} exists and is not an interrupted restore; move it away first`,
      );
    }
    await rm(partial, { recursive: true, force: true });
  }
  await mkdir(partial, { recursive: true, mode: 0o700 });
  await writeFile(join(partial, MARKER), '');
  let vault: Vault | null = null;
  try {
    const build = new Build(opts, partial);
    const report = await build.run((v) => {
      vault = v;
    });
    (vault as Vault | null)?.close();
    vault = null;
    await rm(join(partial, MARKER));
    syncDirectory(partial);
    if (existsSync(target)) await rmdir(target);
    await rename(partial, target);
    syncDirectory(dirname(target));
    return report;
  } catch (e) {
    (vault as Vault | null)?.close();
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
}

class Build {
  private keys!: VaultKeys;

  constructor(
    private readonly opts: RestoreOptions,
    private readonly dir: string,
  ) {}

  async run(opened: (v: Vault) => void): Promise<RestoreReport> {
    const { source } = this.opts;
    const info = await source.info();
    const keyFile = this.opts.keyFile ?? (await source.keyFile());
    this.keys = await this.openKeys(keyFile, info);
    const identity = this.keys.ageIdentity;
    const verifier = parseVerifierKey(info.logVerifierKey);

    let secrets: ReturnType<typeof secretsSchema.parse>;
    try {
      const plain = decryptBytes(await source.secrets(), [identity]);
      secrets = parseDocument(
        secretsSchema,
        JSON.parse(new TextDecoder().decode(plain)),
        'secrets.age',
      );
    } catch (e) {
      if (e instanceof MirrorError) throw e;
      throw new MirrorError(
        'restore.secrets',
        `the vault's secrets in ${source.where} do not open with its key: ${(e as Error).message}`,
      );
    }
    for (const k of ['origin', 'logVerifierKey', 'ageRecipient'] as const) {
      if (secrets.meta[k] !== info[k]) {
        throw new MirrorError(
          'restore.secrets',
          `the vault's secrets in ${source.where} name another ${k} than its log`,
        );
      }
    }

    const latest = await source.latest();
    if (latest === null)
      throw new MirrorError(
        'restore.empty',
        `${source.where} holds no checkpoint: nothing to restore`,
      );
    const head = openCheckpoint(latest, verifier, { origin: info.origin }).checkpoint;
    const checkpoints = new Map<number, ImportedCheckpoint>();
    let after: number | null = 0;
    while (after !== null) {
      const page = await source.checkpoints(after);
      for (const e of page.checkpoints) {
        if (e.size > head.size || e.size <= after) continue;
        const c = openCheckpoint(e.note, verifier, { origin: info.origin }).checkpoint;
        if (c.size !== e.size) {
          throw new MirrorError(
            'restore.checkpoint',
            `${source.where} lists a checkpoint of size ${c.size} as size ${e.size}`,
          );
        }
        checkpoints.set(e.size, { size: e.size, root: c.root, note: e.note, created: e.created });
      }
      after = page.next !== null && page.next > after ? page.next : null;
    }
    if (!checkpoints.has(head.size)) {
      checkpoints.set(head.size, {
        size: head.size,
        root: head.root,
        note: latest,
        created: new Date().toISOString(),
      });
    }
    const headNote = checkpoints.get(head.size)!;
    if (!bytesEqual(headNote.root, head.root)) {
      throw new MirrorError(
        'restore.checkpoint',
        `${source.where} holds two checkpoints of size ${head.size} with different roots: it holds a fork; restore from another mirror`,
      );
    }

    const meta: Record<string, string> = { ...secrets.meta };
    const vault = await createImportedVault(this.dir, keyFile, meta, [MARKER]);
    opened(vault);
    // Before anything else: a copy seals nothing until a person takes it over.
    markRestored(vault.db, source.where);
    const importer = new LogImporter(vault.db, checkpoints);

    // Records, tile by tile, each against the entry the log published.
    const wanted = new Map<string, number>();
    const tiles = [...tilesForSize(head.size)].filter((t): t is EntryTile => t.level === 'entries');
    let done = 0;
    this.opts.onProgress?.({ phase: 'records', done, total: tiles.length });
    for await (const [tile, [bundle, records]] of prefetch(tiles, WINDOW, (t) =>
      Promise.all([source.tile(t), source.recordBundle(t)]),
    )) {
      const imported = this.records(tile, bundle, records, identity);
      for (const r of imported) {
        for (const f of r.files) {
          const had = wanted.get(f.sha256);
          if (had !== undefined && had !== f.size) {
            throw new MirrorError(
              'restore.file-size',
              `two records name the file ${f.sha256.slice(0, 12)}… with different sizes`,
            );
          }
          wanted.set(f.sha256, f.size);
        }
      }
      importer.append(imported);
      this.opts.onProgress?.({ phase: 'records', done: ++done, total: tiles.length });
    }
    importer.finish();

    // Witnesses and the cosignatures each checkpoint carries; the notes stay as signed.
    const db = vault.db;
    for (const w of info.policy.witnesses) addWitness(db, w);
    setQuorum(db, info.policy.quorum);
    let cosignatures = 0;
    const resetNote = db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?');
    for (const c of checkpoints.values()) {
      cosignatures += storeCosignatures(db, c.size, c.note).length;
      resetNote.run(c.note, c.size);
    }

    // Files: decrypted and hashed on the way in; kept when a record names them.
    const files = await this.files(vault, importer, wanted);
    const missing = [...wanted.keys()].filter((h) => !files.stored.has(h));
    if (missing.length > 0) {
      throw new MirrorError(
        'restore.files-missing',
        `${source.where} lacks ${missing.length} of the ${wanted.size} files the records name (the first: ${missing[0]!.slice(0, 12)}…); pull the mirror again, or restore from another`,
      );
    }

    const report = await fsck(vault);
    if (!report.ok) {
      throw new MirrorError(
        'restore.fsck',
        `the restored vault does not pass fsck: ${report.problems
          .slice(0, 3)
          .map((p) => p.message)
          .join('; ')}`,
      );
    }
    return {
      origin: info.origin,
      size: head.size,
      checkpoints: checkpoints.size,
      files: files.stored.size,
      bytes: files.bytes,
      unreferenced: files.unreferenced,
      witnesses: info.policy.witnesses.map((w) => ({ name: w.name, url: w.url })),
      quorum: info.policy.quorum,
      cosignatures,
      restoredFrom: source.where,
    };
  }

  /** Opens the key file with the passphrase; its keys must be those of the log. */
  private async openKeys(keyFile: Uint8Array, info: MirrorInfo): Promise<VaultKeys> {
    const tmp = join(this.dir, `.keys-${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, keyFile, { mode: 0o600 });
    let keys: VaultKeys;
    try {
      keys = await readKeyFile(tmp, await this.opts.passphrase());
    } finally {
      await rm(tmp, { force: true });
    }
    if (
      keys.origin !== info.origin ||
      logSigner(keys).verifierKey !== info.logVerifierKey ||
      x25519Recipient(keys.ageIdentity) !== info.ageRecipient
    ) {
      throw new MirrorError(
        'restore.keys-mismatch',
        `the key file holds the keys of ${keys.origin}, which are not those of the log ${info.origin} in ${this.opts.source.where}`,
      );
    }
    return keys;
  }

  /** The records of one entry tile, each checked against its published commitment. */
  private records(
    tile: EntryTile,
    bundle: Uint8Array,
    sealed: Uint8Array,
    identity: string,
  ): ImportedRecord[] {
    const where = `entry tile ${tile.index} of ${this.opts.source.where}`;
    const commitments = parseEntryBundle(bundle, tile.width);
    let plain: string;
    try {
      plain = new TextDecoder('utf-8', { fatal: true }).decode(decryptBytes(sealed, [identity]));
    } catch (e) {
      throw new MirrorError(
        'restore.records',
        `the records of ${where} do not decrypt with the vault's key: ${(e as Error).message}`,
      );
    }
    const lines = plain.split('\n').filter((l) => l !== '');
    if (lines.length !== tile.width) {
      throw new MirrorError(
        'restore.records',
        `the records of ${where} are ${lines.length}, not ${tile.width}`,
      );
    }
    return lines.map((text, i) => {
      const idx = tile.index * 256 + i;
      let line: ReturnType<typeof recordLineSchema.parse>;
      try {
        line = parseDocument(recordLineSchema, JSON.parse(text), `record ${idx}`);
      } catch (e) {
        if (e instanceof TamgaError) throw e;
        throw new MirrorError('restore.records', `record ${idx} of ${where} is not JSON`);
      }
      if (line.idx !== idx)
        throw new MirrorError(
          'restore.records',
          `record ${line.idx} stands where record ${idx} should, in ${where}`,
        );
      const salt = decodeBase64(line.salt, 'salt');
      if (!bytesEqual(commitCanonical(encodeUtf8(line.json), salt), commitments[i]!)) {
        throw new MirrorError(
          'restore.commitment',
          `record ${idx} in ${this.opts.source.where} does not match the commitment the log published for it: the mirror's copy was altered`,
        );
      }
      const record = parseRecord(JSON.parse(line.json));
      if (canonicalize(record) !== line.json) {
        throw new MirrorError('restore.records', `record ${idx} is not in canonical form`);
      }
      return {
        idx,
        id: record.id,
        kind: record.kind,
        created: record.created,
        json: line.json,
        salt,
        commitment: commitments[i]!,
        files: record.files.map((f) => ({ sha256: f.sha256, name: f.name, size: f.size })),
        paths: line.paths,
      };
    });
  }

  /** Copies every file the source lists: decrypted and hashed as it is written. */
  private async files(
    vault: Vault,
    importer: LogImporter,
    wanted: ReadonlyMap<string, number>,
  ): Promise<{ stored: Set<string>; bytes: number; unreferenced: number }> {
    const { source } = this.opts;
    const listed: BlobEntry[] = [];
    let after: string | null = null;
    do {
      const page = await source.blobs(after);
      listed.push(...page.blobs);
      after = page.next !== null && page.next !== after ? page.next : null;
    } while (after !== null);
    const totalBytes = listed.reduce((a, b) => a + b.size, 0);
    const stored = new Set<string>();
    const dirs = new Set<string>();
    let bytes = 0;
    let done = 0;
    let unreferenced = 0;
    const progress = () =>
      this.opts.onProgress?.({ phase: 'files', done, total: listed.length, bytes, totalBytes });
    progress();
    let next = 0;
    const worker = async () => {
      while (next < listed.length) {
        const b = listed[next++]!;
        const tmp = join(
          vault.layout.blobsTmp,
          `${process.pid}-${randomBytes(8).toString('hex')}.tmp`,
        );
        try {
          const { sha256, size } = await copyAndHash(
            await source.openBlob(b.name, b.size),
            tmp,
            this.keys.ageIdentity,
          );
          if (wanted.get(sha256) === size && !stored.has(sha256)) {
            stored.add(sha256);
            const dst = blobPath(vault.layout, sha256);
            await mkdir(dirname(dst), { recursive: true });
            await rename(tmp, dst);
            dirs.add(dirname(dst));
            importer.addBlob(sha256, size, (await stat(dst)).size);
            bytes += b.size;
          } else {
            unreferenced++;
            await rm(tmp, { force: true });
          }
        } catch (e) {
          await rm(tmp, { force: true });
          if (e instanceof TamgaError && e.code.startsWith('age.')) {
            throw new MirrorError(
              'restore.file',
              `the encrypted file ${b.name} in ${source.where} does not decrypt with the vault's key (${e.message}); it was altered: restore from another mirror`,
            );
          }
          throw e;
        }
        done++;
        progress();
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(this.opts.concurrency ?? 4, 32)) }, worker),
    );
    dirs.add(vault.layout.blobs);
    await syncDirectories(dirs);
    return { stored, bytes, unreferenced };
  }
}

/**
 * Writes the encrypted stream to `tmp` (flushed to disk) while decrypting it, and returns the
 * plaintext's SHA-256 and size. Rejects with the age error when it does not authenticate.
 */
async function copyAndHash(
  stream: NodeJS.ReadableStream,
  tmp: string,
  identity: string,
): Promise<{ sha256: string; size: number }> {
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 });
  const decrypt = decryptStream([identity]);
  const hash = createHash('sha256');
  let size = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (out.write(chunk)) done(null, chunk);
      else out.once('drain', () => done(null, chunk));
    },
  });
  const written = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  try {
    await pipeline(
      stream,
      tee,
      decrypt,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done();
        },
      }),
    );
  } catch (e) {
    out.destroy();
    written.catch(() => {});
    throw e;
  }
  out.end();
  await written;
  const handle = await open(tmp, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}
