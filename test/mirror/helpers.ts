/**
 * What the mirror tests share: a vault sealed from real files (cheap scrypt), served in-process
 * on loopback with its private routes, a mirror token, witnesses that cosign its checkpoints,
 * and a fingerprint of a directory to show a mirror unchanged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { cosigner } from '../../src/log/cosignature.js';
import { addSignatures } from '../../src/log/note.js';
import { MirrorDirectory } from '../../src/mirror/mirror-dir.js';
import { issueMirrorToken } from '../../src/mirror/tokens.js';
import { vaultPrivateStore } from '../../src/mirror/vault-store.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { privateRoutes } from '../../src/server/private-routes.js';
import { buildLogServer, buildPublicLogServer, listen } from '../../src/server/public-log.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import { addWitness, setQuorum, storeCosignatures } from '../../src/vault/witnesses.js';
import { newVault, writeTree } from '../vault/helpers.js';

installNodeCrypto();

export { PASSPHRASE } from '../vault/helpers.js';

/** A vault open for writing, and its keys. */
export interface MirrorTestVault {
  readonly dir: string;
  readonly vault: Vault;
  readonly keys: VaultKeys;
}

/** Creates a vault in `dir`. */
export async function createTestVault(dir: string): Promise<MirrorTestVault> {
  const { vault, keys } = await newVault(dir);
  return { dir, vault, keys };
}

/** Writes `files` under `root/name` and seals that folder: one batch, one checkpoint. */
export async function sealFolder(
  v: MirrorTestVault,
  root: string,
  name: string,
  files: Record<string, string | Uint8Array>,
): Promise<number> {
  writeTree(join(root, name), files);
  const s = await sealPaths(v.vault, v.keys, [join(root, name)], { author: 'mirror test' });
  if (s.failed.length > 0) throw new Error(`seal failed: ${JSON.stringify(s.failed)}`);
  return latestCheckpoint(v.vault.db)!.size;
}

/** `n` small files with distinct contents, named f000…, under a prefix. */
export function smallFiles(n: number, tag: string): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`f${String(i).padStart(3, '0')}.txt`, `${tag} ${i}\n`]),
  );
}

/** Random bytes, for files whose blobs span several age chunks. */
export function randomFile(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

/** Two witnesses listed by the vault with quorum 2; `cosign` adds both cosignatures to the latest checkpoint. */
export function addTestWitnesses(v: MirrorTestVault): { cosign: () => void; names: string[] } {
  const ws = ['witness.test.example/a', 'witness.test.example/b'].map((name) =>
    cosigner(name, new Uint8Array(randomBytes(32))),
  );
  for (const w of ws) {
    addWitness(v.vault.db, { name: w.name, vkey: w.verifierKey, url: `https://${w.name}` });
  }
  setQuorum(v.vault.db, 2);
  return {
    names: ws.map((w) => w.name),
    cosign: () => {
      const cp = latestCheckpoint(v.vault.db)!;
      const t = Math.floor(Date.now() / 1000);
      storeCosignatures(
        v.vault.db,
        cp.size,
        addSignatures(
          cp.note,
          ws.map((w) => w.signer(t)),
        ),
      );
    },
  };
}

/** Issues a mirror token. */
export function token(v: MirrorTestVault, label?: string): string {
  return issueMirrorToken(v.vault.db, label).token;
}

/** A server listening on loopback, and how to stop it. */
export interface Served {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Serves the vault in `dir` (opened read-only, as `tamga serve` does) with its private routes;
 * without `packs`, as a server older than packs does (404 for pack).
 */
export async function serveVault(dir: string, opts: { packs?: boolean } = {}): Promise<Served> {
  const vault = await Vault.open(dir, { readonly: true });
  const routes = privateRoutes(vaultPrivateStore(vault));
  const app = buildPublicLogServer(vault, {
    privateRoutes:
      opts.packs === false
        ? async (request, reply) =>
            request.url.startsWith('/private/v1/pack')
              ? reply.code(404).send('not found\n')
              : routes(request, reply)
        : routes,
  });
  const url = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    close: async () => {
      await app.close();
      vault.close();
    },
  };
}

/** Serves the mirror in `dir` as `tamga serve --mirror DIR --token T` does. */
export async function serveMirror(dir: string, token?: string): Promise<Served> {
  const mirror = MirrorDirectory.open(dir, token === undefined ? {} : { token });
  const app = buildLogServer(
    {
      origin: mirror.state.origin,
      verifierKey: mirror.state.logVerifierKey,
      reader: { checkpoint: () => mirror.checkpoint(), tile: (t) => mirror.tileLookup(t) },
    },
    { privateRoutes: privateRoutes(mirror) },
  );
  const url = await listen(app, { host: '127.0.0.1', port: 0 });
  return { url, app, close: () => app.close() };
}

/** SHA-256 of every file under `dir` (relative path → hex), skipping names in `skip`. */
export function fingerprint(dir: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      if (e.isDirectory()) visit(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  if (statSync(dir, { throwIfNoEntry: false })) visit(dir);
  return out;
}
