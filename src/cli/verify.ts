/** `tamga verify PATH...`: is each file sealed in this vault, as what, and since when? */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileProver, type IndexDamage } from '../vault/prove-file.js';
import type { ProofStatus, StoredRecord } from '../vault/query.js';
import { recordRoot } from '../vault/seal.js';
import { Vault } from '../vault/vault.js';
import { describe, walk } from '../vault/walk.js';
import {
  type CommandContext,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';

/** The verdict on one file. */
export type FileVerification =
  | {
      path: string;
      status: 'sealed';
      sha256: string;
      records: Array<{
        id: string;
        index: number;
        path: string;
        checkpointSize: number | null;
        /** The earliest witness cosignature, when the checkpoint meets the witness quorum. */
        provenNoLaterThan: string | null;
        /** The witnesses that cosigned that checkpoint, earliest first. */
        witnesses: string[];
        quorum: number;
      }>;
      /** Records the vault's file index also names for these contents that do not prove them. */
      damaged?: IndexDamage[];
    }
  | {
      path: string;
      status: 'not-sealed';
      sha256: string;
      sameName: Array<{ id: string; path: string }>;
      /** Records the vault's file index names for these contents, none of which proves them. */
      damaged?: IndexDamage[];
    }
  | { path: string; status: 'unreadable'; reason: string };

/** Returns the SHA-256 (hex) of a file, streamed. */
export async function hashFile(path: string | Buffer): Promise<string> {
  return (await digestFile(path)).sha256;
}

/** Returns the SHA-256 (hex) and the size in bytes of a file, streamed. */
async function digestFile(path: string | Buffer): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Damage lines printed per file; the rest are counted (`tamga fsck` lists them all). */
const DAMAGE_LINES = 5;

function summary(stored: StoredRecord, status: ProofStatus) {
  const body = stored.record.body as { path?: string };
  const earliest = status.witnesses[0];
  return {
    id: stored.record.id,
    index: stored.index,
    path: body.path ?? '',
    checkpointSize: status.checkpoint?.size ?? null,
    provenNoLaterThan:
      earliest && status.witnessed ? new Date(earliest.timestamp * 1000).toISOString() : null,
    witnesses: status.witnesses.map((w) => w.name),
    quorum: status.quorum,
  };
}

/** Verifies every file under `paths`; resolves to the verdicts. Exit code 0 only if all are sealed. */
export async function verifyCommand(
  paths: readonly string[],
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<FileVerification[]> {
  if (paths.length === 0) throw new UsageError('name at least one file or folder to verify');
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  let byName: ReturnType<typeof vault.db.prepare> | undefined;
  const sameName = (name: string): Array<{ id: string; path: string }> => {
    // Only a hint, read from the index: a vault too damaged to give it gives none.
    try {
      byName ??= vault.db.prepare(
        "SELECT r.id, json_extract(r.json, '$.body.path') AS path FROM records r JOIN record_files f ON f.record_idx = r.idx WHERE f.name = ? ORDER BY r.idx DESC LIMIT 3",
      );
      return byName.all(name) as Array<{ id: string; path: string }>;
    } catch {
      return [];
    }
  };
  const results: FileVerification[] = [];
  // Proves from the records; the file index only names the candidates (src/vault/prove-file.ts).
  const prove = fileProver(vault);
  try {
    for (const given of paths) {
      for await (const item of walk(resolve(ctx.cwd, given), recordRoot(given, ctx.cwd))) {
        let result: FileVerification;
        if ('skip' in item) {
          result = { path: item.skip.recordPath, status: 'unreadable', reason: item.skip.reason };
        } else {
          const path = item.file.recordPath;
          let digest: { sha256: string; size: number };
          try {
            digest = await digestFile(item.file.fsPath);
          } catch (e) {
            result = { path, status: 'unreadable', reason: describe(e) };
            report(result);
            continue;
          }
          const { sha256 } = digest;
          const proof = prove(sha256, { size: digest.size });
          const damaged = proof.status === 'not-sealed' ? [] : [...proof.damaged];
          result =
            proof.status === 'sealed'
              ? {
                  path,
                  status: 'sealed',
                  sha256,
                  records: proof.records.map((r) => summary(r.stored, r.proof)),
                  ...(damaged.length > 0 ? { damaged } : {}),
                }
              : {
                  path,
                  status: 'not-sealed',
                  sha256,
                  sameName: sameName(basename(path)),
                  ...(damaged.length > 0 ? { damaged } : {}),
                };
        }
        report(result);
      }
    }
  } finally {
    vault.close();
  }
  return results;

  function report(r: FileVerification) {
    results.push(r);
    if (opts.json) {
      ctx.out(JSON.stringify(r));
      return;
    }
    const say = (line: string) => ctx.out(printable(line));
    if (r.status === 'sealed') {
      const first = r.records[0]!;
      const when = first.provenNoLaterThan
        ? `proven to exist no later than ${first.provenNoLaterThan}, by witnesses ${first.witnesses.join(', ')}`
        : first.checkpointSize !== null
          ? first.witnesses.length > 0
            ? `in the log's signed checkpoint of size ${first.checkpointSize}, cosigned by ${first.witnesses.join(', ')}: below the quorum of ${first.quorum}`
            : `in the log's signed checkpoint of size ${first.checkpointSize}, not yet witnessed`
          : 'not yet in a signed checkpoint';
      say(
        `SEALED      ${r.path}: record ${first.id} (entry ${first.index}, sealed as ${first.path}); ${when}`,
      );
      for (const other of r.records.slice(1))
        say(`            also record ${other.id} (entry ${other.index}, sealed as ${other.path})`);
      sayDamage(r.damaged);
    } else if (r.status === 'not-sealed') {
      const hint =
        r.sameName.length > 0
          ? `; a file of this name was sealed with different contents: ${r.sameName.map((s) => `${s.id} (${s.path})`).join(', ')}`
          : '';
      say(`NOT SEALED  ${r.path}: no record in this vault holds these contents${hint}`);
      sayDamage(r.damaged);
    } else {
      say(`UNREADABLE  ${r.path}: ${r.reason}`);
    }
  }

  function sayDamage(damaged: readonly IndexDamage[] | undefined) {
    if (damaged === undefined) return;
    for (const d of damaged.slice(0, DAMAGE_LINES))
      ctx.out(printable(`            the vault is damaged: ${d.message}; run \`tamga fsck\``));
    if (damaged.length > DAMAGE_LINES)
      ctx.out(
        `            the vault is damaged: ${damaged.length - DAMAGE_LINES} more records its file index names do not hold these contents; run \`tamga fsck\``,
      );
  }
}
