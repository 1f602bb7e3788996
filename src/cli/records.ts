/** `tamga ls`, `tamga show ID`, `tamga get ID --out PATH`: find and read sealed records. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { encodeBase64 } from '../log/encoding.js';
import type { TamgaRecord } from '../records/record.js';
import { decryptBlobTo } from '../vault/blobs.js';
import { VaultError } from '../vault/errors.js';
import { getRecord, proofStatus, type RecordFilter, type StoredRecord } from '../vault/query.js';
import { searchRecords } from '../vault/record-search.js';
import { Vault } from '../vault/vault.js';
import {
  type CommandContext,
  formatBytes,
  passphrase,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';

export interface LsOptions extends VaultOptions, Omit<RecordFilter, 'limit' | 'offset'> {
  limit?: number;
  offset?: number;
  json?: boolean;
}

function title(r: TamgaRecord): string {
  const body = r.body as { path?: string; title?: string; description?: string; name?: string };
  return body.title ?? body.path ?? body.name ?? body.description?.slice(0, 60) ?? '';
}

/** The date a document bears, said as its own claim; '' for a record without one. */
function dated(r: TamgaRecord): string {
  return r.kind === 'document' && r.body.documentDate !== undefined
    ? `  dated ${r.body.documentDate} (as the document says)`
    : '';
}

/**
 * Lists records in log order, as the web app's record list finds them (src/vault/record-search.ts):
 * without --kind, every kind but activity. Resolves to how many were listed.
 */
export async function lsCommand(opts: LsOptions, ctx: CommandContext): Promise<number> {
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const filter = {
      ...(opts.kind ? { kind: opts.kind } : {}),
      ...(opts.tag ? { tag: opts.tag } : {}),
      ...(opts.from ? { from: opts.from } : {}),
      ...(opts.to ? { to: opts.to } : {}),
      ...(opts.text ? { text: opts.text } : {}),
      limit: opts.limit ?? 1000,
      offset: opts.offset ?? 0,
    } satisfies RecordFilter;
    const rows = searchRecords(vault, { ...filter, order: 'log' }).items;
    for (const s of rows) {
      if (opts.json) ctx.out(JSON.stringify({ index: s.index, ...s.record }));
      else {
        const size = s.record.files.reduce((n, f) => n + f.size, 0);
        ctx.out(
          `${s.record.id}  ${String(s.index).padStart(7)}  ${s.record.created}  ${s.record.kind.padEnd(11)} ${printable(title(s.record))}${dated(s.record)}${size > 0 ? `  (${formatBytes(size)})` : ''}`,
        );
      }
    }
    if (!opts.json && rows.length === filter.limit)
      ctx.err(`(first ${filter.limit} shown; use --limit and --offset for more)`);
    return rows.length;
  } finally {
    vault.close();
  }
}

function find(vault: Vault, id: string): StoredRecord {
  const stored = getRecord(vault, id);
  if (stored === null)
    throw new VaultError(
      'record.missing',
      `no record ${id} in this vault (ids are 26 characters; \`tamga ls\` lists them)`,
    );
  return stored;
}

/** Shows one record with its proof status. */
export async function showCommand(
  id: string,
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const stored = find(vault, id);
    const status = proofStatus(vault, stored);
    if (opts.json) {
      ctx.out(
        JSON.stringify({
          index: stored.index,
          record: stored.record,
          salt: encodeBase64(stored.salt),
          commitment: encodeBase64(stored.commitment),
          proof: {
            checkpointSize: status.checkpoint?.size ?? null,
            verified: status.verified,
            hashes: status.proof.map(encodeBase64),
            witnesses: status.witnesses,
            quorum: status.quorum,
            witnessed: status.witnessed,
          },
        }),
      );
      return;
    }
    ctx.out(JSON.stringify(stored.record, null, 2));
    const r = stored.record;
    if (r.kind === 'document' && r.body.documentDate !== undefined)
      ctx.out(
        `dated:       ${r.body.documentDate}, as the document itself says (its claim, not proven)`,
      );
    ctx.out(`log entry:   ${stored.index}`);
    ctx.out(`commitment:  ${encodeBase64(stored.commitment)}`);
    if (status.checkpoint) {
      ctx.out(
        `proof:       included in the signed checkpoint of size ${status.checkpoint.size} (inclusion proof of ${status.proof.length} hashes verified)`,
      );
      ctx.out(
        status.witnessed
          ? `proven:      to exist no later than ${iso(status.witnesses[0]!.timestamp)}, by witnesses ${status.witnesses.map((w) => `${w.name} (${iso(w.timestamp)})`).join(', ')}`
          : status.witnesses.length > 0
            ? `proven:      cosigned by ${status.witnesses.map((w) => w.name).join(', ')}, below the quorum of ${status.quorum}`
            : "proven:      by the log's own signature only; no witness has cosigned it yet",
      );
    } else {
      ctx.out('proof:       not yet in a signed checkpoint');
    }
  } finally {
    vault.close();
  }
}

/** Decrypts a record's file to `out`, written only once it has fully decrypted and authenticated. */
export async function getCommand(
  id: string,
  opts: VaultOptions & { out?: string; file?: string },
  ctx: CommandContext,
): Promise<string> {
  if (!opts.out) throw new UsageError('say where to write the file with --out PATH');
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const stored = find(vault, id);
    const files = stored.record.files;
    if (files.length === 0)
      throw new VaultError('record.no-file', `record ${id} has no file attached`);
    const file =
      opts.file === undefined
        ? files[0]!
        : files.find((f) => f.name === opts.file || f.sha256 === opts.file);
    if (file === undefined)
      throw new VaultError('record.no-file', `record ${id} has no file named ${opts.file}`);
    if (files.length > 1 && opts.file === undefined)
      ctx.err(
        printable(
          `record ${id} has ${files.length} files; writing the first, ${file.name} (choose with --file)`,
        ),
      );
    const keys = await vault.unlock(await passphrase(ctx));
    const out = resolve(ctx.cwd, opts.out);
    if (await stat(out).catch(() => null))
      throw new UsageError(`${opts.out} already exists; choose another --out`);
    await decryptBlobTo(vault.layout, file.sha256, keys.ageIdentity, out);
    ctx.err(printable(`Wrote ${file.name} (${formatBytes(file.size)}) to ${opts.out}`));
    return out;
  } finally {
    vault.close();
  }
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
