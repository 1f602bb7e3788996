/**
 * A vault's private data, as mirrors fetch it: records with their salts and sealed paths, age-
 * encrypted to the vault's own recipient per request (so the mirror cannot read them), the key
 * file as stored, checkpoints with their cosignatures, and the encrypted files under opaque
 * names. Reads only; the vault may be open read-only, as `tamga serve` opens it.
 *
 * Everything is served as of the latest checkpoint: a record bundle only when that tree holds it.
 */
import { readFile, stat } from 'node:fs/promises';
import { encodeBase64 } from '../log/encoding.js';
import { type EntryTile, entryTileAt } from '../log/tiles.js';
import { encryptBytes } from '../vault/age/index.js';
import { blobPath } from '../vault/layout.js';
import { latestCheckpoint } from '../vault/log-store.js';
import type { Vault } from '../vault/vault.js';
import { listWitnesses, witnessPolicy } from '../vault/witnesses.js';
import { blobName, parseBlobNameKey } from './blob-names.js';
import {
  type BlobFile,
  type BlobPage,
  type CheckpointPage,
  MIRROR_FORMAT,
  type MirrorInfo,
  type RecordLine,
  SECRETS_FORMAT,
  type VaultSecrets,
} from './format.js';
import type { PrivateStore } from './private-store.js';
import { BLOB_NAME_KEY, noteMirrorPull, vaultTokenMatcher } from './tokens.js';

/** Returns the private store of `vault`. */
export function vaultPrivateStore(vault: Vault): PrivateStore {
  return new VaultPrivateStore(vault);
}

class VaultPrivateStore implements PrivateStore {
  readonly authorize: (token: string) => boolean;
  /** Blob names seen so far → plaintext SHA-256, filled from the blobs table by rowid. */
  private readonly names = new Map<string, string>();
  private namedUpTo = 0;

  /** The token of the request being answered; requests are answered one at a time up to info. */
  private authorised: number | null = null;

  constructor(private readonly vault: Vault) {
    const match = vaultTokenMatcher(vault.db);
    this.authorize = (token) => {
      this.authorised = match(token);
      return this.authorised !== null;
    };
  }

  private meta(key: string): string | undefined {
    const row = this.vault.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  private nameKey(): Buffer {
    return parseBlobNameKey(this.meta(BLOB_NAME_KEY));
  }

  info(): MirrorInfo {
    const db = this.vault.db;
    // Every pull starts here: note it, for the dashboard's "last pull" per mirror.
    if (this.authorised !== null) {
      noteMirrorPull(this.vault.layout.database, this.authorised, latestCheckpoint(db)?.size ?? 0);
    }
    const policy = witnessPolicy(db);
    return {
      format: MIRROR_FORMAT,
      origin: this.vault.info.origin,
      logVerifierKey: this.vault.info.logVerifierKey,
      ageRecipient: this.vault.info.ageRecipient,
      policy: {
        quorum: policy.quorum,
        witnesses: listWitnesses(db).map((w) => ({ name: w.name, vkey: w.vkey, url: w.url })),
      },
    };
  }

  async keyFile(): Promise<Uint8Array> {
    return readFile(this.vault.layout.keyFile);
  }

  async secrets(): Promise<Uint8Array> {
    const rows = this.vault.db.prepare('SELECT key, value FROM meta ORDER BY key').all() as Array<{
      key: string;
      value: string;
    }>;
    const doc: VaultSecrets = {
      format: SECRETS_FORMAT,
      meta: Object.fromEntries(rows.map((r) => [r.key, r.value])),
    };
    return encryptBytes(new TextEncoder().encode(JSON.stringify(doc)), [
      this.vault.info.ageRecipient,
    ]);
  }

  checkpoints(after: number, limit: number): CheckpointPage {
    const rows = this.vault.db
      .prepare('SELECT size, note, created FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?')
      .all(after, limit) as Array<{ size: number; note: string; created: string }>;
    return {
      checkpoints: rows,
      next: rows.length === limit ? rows[rows.length - 1]!.size : null,
    };
  }

  async recordBundle(tile: EntryTile): Promise<Uint8Array | null> {
    const db = this.vault.db;
    const lines = db.transaction((): string[] | null => {
      const size = latestCheckpoint(db)?.size ?? 0;
      const now = entryTileAt(tile.index, size);
      if (now === null || now.width < tile.width) return null;
      const first = tile.index * 256;
      const records = db
        .prepare('SELECT idx, id, json, salt FROM records WHERE idx >= ? AND idx < ? ORDER BY idx')
        .all(first, first + tile.width) as Array<{
        idx: number;
        id: string;
        json: string;
        salt: Uint8Array;
      }>;
      const paths = new Map<string, RecordLine['paths'][number][]>();
      for (const p of db
        .prepare(
          // ORDER BY +path, not path: sorting the few rows found is cheaper than walking the
          // whole table in the order of its path index (there is no index on record_id).
          `SELECT path, size, mtime_ms, sha256, record_id FROM sealed_paths
           WHERE record_id IN (SELECT id FROM records WHERE idx >= ? AND idx < ?) ORDER BY +path`,
        )
        .iterate(first, first + tile.width) as Iterable<{
        path: string;
        size: number;
        mtime_ms: number;
        sha256: string;
        record_id: string;
      }>) {
        const list = paths.get(p.record_id) ?? [];
        list.push({ path: p.path, size: p.size, mtimeMs: p.mtime_ms, sha256: p.sha256 });
        paths.set(p.record_id, list);
      }
      return records.map((r) => {
        const line: RecordLine = {
          idx: r.idx,
          json: r.json,
          salt: encodeBase64(new Uint8Array(r.salt)),
          paths: paths.get(r.id) ?? [],
        };
        return JSON.stringify(line);
      });
    })();
    if (lines === null) return null;
    return encryptBytes(new TextEncoder().encode(`${lines.join('\n')}\n`), [
      this.vault.info.ageRecipient,
    ]);
  }

  /** Rows of the blobs table after the cursor `after`, or null for a cursor not ours. */
  private blobRows(
    after: string | null,
    skip: number,
    limit: number,
  ): Array<{ id: number; sha256: string; stored_size: number }> | null {
    // The cursor is the blobs table's rowid: stable, as blobs are never deleted.
    if (after !== null && !/^[0-9]{1,15}$/.test(after)) return null;
    return this.vault.db
      .prepare(
        'SELECT rowid AS id, sha256, stored_size FROM blobs WHERE rowid > ? ORDER BY rowid LIMIT ? OFFSET ?',
      )
      .all(after === null ? 0 : Number(after), limit, skip) as Array<{
      id: number;
      sha256: string;
      stored_size: number;
    }>;
  }

  async blobs(after: string | null, limit: number): Promise<BlobPage | null> {
    const rows = this.blobRows(after, 0, limit);
    if (rows === null) return null;
    const key = this.nameKey();
    const blobs = rows.map((r) => {
      const name = blobName(key, r.sha256);
      this.names.set(name, r.sha256);
      return { name, size: r.stored_size };
    });
    return {
      blobs,
      next: rows.length === limit ? String(rows[rows.length - 1]!.id) : null,
    };
  }

  async blobFiles(after: string | null, skip: number, limit: number): Promise<BlobFile[] | null> {
    const rows = this.blobRows(after, skip, limit);
    if (rows === null) return null;
    const key = this.nameKey();
    return rows.map((r) => ({
      name: blobName(key, r.sha256),
      size: r.stored_size,
      path: blobPath(this.vault.layout, r.sha256),
    }));
  }

  async blob(name: string): Promise<{ path: string; size: number } | null> {
    let sha256 = this.names.get(name);
    if (sha256 === undefined) {
      // Name the blobs added since the last look; a name is an HMAC and cannot be inverted.
      const key = this.nameKey();
      for (const r of this.vault.db
        .prepare('SELECT rowid AS id, sha256 FROM blobs WHERE rowid > ? ORDER BY rowid')
        .iterate(this.namedUpTo) as Iterable<{ id: number; sha256: string }>) {
        this.names.set(blobName(key, r.sha256), r.sha256);
        this.namedUpTo = r.id;
      }
      sha256 = this.names.get(name);
      if (sha256 === undefined) return null;
    }
    const path = blobPath(this.vault.layout, sha256);
    const s = await stat(path).catch(() => null);
    return s === null ? null : { path, size: s.size };
  }
}
