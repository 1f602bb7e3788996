/**
 * `tamga evidence ID... -o OUT`: disclose chosen records as an evidence bundle that anyone can
 * check without the vault; `tamga check-evidence OUT [FILES...]` checks one, with no vault at all.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FileDigest } from '../evidence/files.js';
import {
  assembleEvidence,
  describeVerdict,
  type EvidenceVerdict,
  flattenPolicy,
  formatEvidence,
  type LogIdentity,
  MAX_POLICY_CHARS,
  parsePolicy,
  type TrustedKeys,
  verifyEvidence,
  type WitnessPolicy,
} from '../evidence/index.js';
import { openCheckpoint } from '../log/checkpoint.js';
import { bytesEqual } from '../log/encoding.js';
import { ed25519VerifierKey, parseVerifierKey } from '../log/note.js';
import { inclusionProofSync } from '../log/proof.js';
import { SyncTileHashReader } from '../log/tiles.js';
import { decryptBlobTo } from '../vault/blobs.js';
import { VaultError } from '../vault/errors.js';
import { latestCheckpoint, tileReader } from '../vault/log-store.js';
import { getRecord, listRecords, recordsByFileHash, type StoredRecord } from '../vault/query.js';
import { Vault, writeFileDurably } from '../vault/vault.js';
import {
  earliestWitnessedCheckpoint,
  witnessedCheckpoint,
  witnessPolicy,
} from '../vault/witnesses.js';
import {
  type CommandContext,
  passphrase,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';
import { hashFile } from './verify.js';

const BUNDLE_NAME = 'evidence.json';

export interface EvidenceCommandOptions extends VaultOptions {
  out?: string;
  tag?: string;
  file?: string[];
  withFiles?: boolean;
}

/** Writes a bundle of the chosen records; resolves to the bundle file's path. */
export async function evidenceCommand(
  ids: readonly string[],
  opts: EvidenceCommandOptions,
  ctx: CommandContext,
): Promise<string> {
  if (!opts.out)
    throw new UsageError(
      'say where to write the bundle with -o OUT (a folder, or a file ending in .json)',
    );
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const chosen = new Map<number, StoredRecord>();
    for (const id of ids) {
      const s = getRecord(vault, id);
      if (s === null) throw new VaultError('record.missing', `no record ${id} in this vault`);
      chosen.set(s.index, s);
    }
    if (opts.tag) for (const s of listRecords(vault, { tag: opts.tag })) chosen.set(s.index, s);
    for (const f of opts.file ?? []) {
      const found = recordsByFileHash(vault, await hashFile(resolve(ctx.cwd, f)));
      if (found.length === 0)
        throw new VaultError('record.missing', `${f} is not sealed in this vault`);
      for (const s of found) chosen.set(s.index, s);
    }
    if (chosen.size === 0)
      throw new UsageError('choose records: give their ids, --tag TAG, or --file FILE');

    const records = [...chosen.values()].sort((a, b) => a.index - b.index);
    // The earliest checkpoint that holds every chosen record and meets the witness quorum: its
    // cosignatures date the records as early as one checkpoint can. Without one, the latest.
    const policy = witnessPolicy(vault.db);
    const lastIndex = records[records.length - 1]!.index;
    const latest = earliestWitnessedCheckpoint(vault.db, lastIndex) ?? latestCheckpoint(vault.db);
    if (latest === null) throw new VaultError('log.empty', 'the log has no checkpoint yet');
    const { checkpoint } = openCheckpoint(latest.note, vault.logVerifier());
    const cosigned = witnessedCheckpoint(vault.db, checkpoint.size)?.cosignatures.length ?? 0;
    if (cosigned < policy.quorum) {
      ctx.err(
        `WARNING: no checkpoint holding these records has the ${policy.quorum} witness cosignatures the policy needs yet (the latest has ${cosigned}); the bundle will not verify until it does. Run \`tamga witnesses sync\`, then make the bundle again.`,
      );
    }
    const hashes = new SyncTileHashReader(checkpoint.size, tileReader(vault.db));

    const jsonOut = opts.out.endsWith('.json');
    if (jsonOut && opts.withFiles)
      throw new UsageError(
        '--with-files needs -o to name a folder, where the files go beside the bundle',
      );
    const outDir = resolve(ctx.cwd, jsonOut ? dirname(opts.out) : opts.out);
    const bundleFile = jsonOut ? resolve(ctx.cwd, opts.out) : join(outDir, BUNDLE_NAME);
    if (await stat(bundleFile).catch(() => null))
      throw new UsageError(`${bundleFile} already exists; choose another -o`);
    await mkdir(outDir, { recursive: true });

    const files: Array<{ sha256: string; path: string }> = [];
    if (opts.withFiles) {
      const keys = await vault.unlock(await passphrase(ctx));
      await mkdir(join(outDir, 'files'), { recursive: true });
      for (const s of records) {
        for (const f of s.record.files) {
          if (files.some((x) => x.sha256 === f.sha256)) continue;
          const rel = `files/${f.sha256}`;
          await decryptBlobTo(vault.layout, f.sha256, keys.ageIdentity, join(outDir, rel));
          files.push({ sha256: f.sha256, path: rel });
        }
      }
    }
    const bundle = assembleEvidence({
      created: `${new Date().toISOString().slice(0, 19)}Z`,
      generator: 'tamga 0.1.0',
      log: { origin: vault.info.origin, verifierKey: vault.info.logVerifierKey },
      witnesses: policy,
      checkpoint: latest.note,
      records: records.map((s) => ({
        record: s.record,
        salt: s.salt,
        index: s.index,
        proof: inclusionProofSync(s.index, checkpoint.size, hashes),
      })),
      files,
    });
    await writeFileDurably(bundleFile, formatEvidence(bundle));
    ctx.err(
      `Wrote an evidence bundle of ${records.length} record${records.length === 1 ? '' : 's'}${files.length ? ` and ${files.length} file${files.length === 1 ? '' : 's'}` : ''} to ${bundleFile}`,
    );
    ctx.err(
      'Anyone can check it without the vault: tamga check-evidence ' +
        (jsonOut ? bundleFile : outDir),
    );
    ctx.out(bundleFile);
    return bundleFile;
  } finally {
    vault.close();
  }
}

/**
 * Checks a bundle (its JSON file, or the folder holding evidence.json) with no vault, and
 * optionally files said to be the disclosed ones. Resolves to the verdict; ok only if all holds.
 */
export async function checkEvidenceCommand(
  target: string,
  files: readonly string[],
  opts: { json?: boolean; policy?: string; logKey?: string },
  ctx: CommandContext,
): Promise<EvidenceVerdict & { unmatchedFiles: string[] }> {
  const path = resolve(ctx.cwd, target);
  const s = await stat(path).catch(() => null);
  if (s === null) throw new UsageError(`${target} does not exist`);
  const bundleFile = s.isDirectory() ? join(path, BUNDLE_NAME) : path;
  if (s.size > 100 * 1024 * 1024 || (await stat(bundleFile)).size > 100 * 1024 * 1024) {
    throw new UsageError(`${bundleFile} is larger than 100 MB, more than any evidence bundle`);
  }
  const text = await readFile(bundleFile);
  const provided = new Map<string, FileDigest>();
  const digest = async (file: string) => {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  };
  // Files that travel with the bundle, then the ones named on the command line.
  const parsed = JSON.parse(text.toString('utf8')) as {
    files?: Array<{ sha256?: unknown; path?: unknown }>;
    log?: { origin?: unknown; verifierKey?: unknown };
  };
  const trust = await trustedKeys(opts, parsed?.log, ctx);
  for (const f of Array.isArray(parsed?.files) ? parsed.files : []) {
    if (typeof f.path !== 'string' || typeof f.sha256 !== 'string' || f.path.includes('..'))
      continue;
    const file = join(dirname(bundleFile), f.path);
    if (await stat(file).catch(() => null)) provided.set(f.sha256, await digest(file));
  }
  const extra: string[] = [];
  for (const f of files) {
    const d = await digest(resolve(ctx.cwd, f));
    if (provided.has(d.sha256) || JSON.stringify(parsed).includes(d.sha256))
      provided.set(d.sha256, d);
    else extra.push(f);
  }
  const verdict = verifyEvidence(text, { files: provided, ...(trust ? { trust } : {}) });
  if (opts.json) ctx.out(JSON.stringify({ ...verdict, unmatchedFiles: extra }));
  else {
    if (extra.length > 0) {
      ctx.out(
        `NOT VERIFIED: ${extra.length} of the files given ${extra.length === 1 ? 'is' : 'are'} not disclosed by this bundle (listed at the end).`,
      );
    }
    for (const line of describeVerdict(verdict, 'en')) ctx.out(line);
    for (const f of extra) ctx.out(`✗ ${f} is not one of the files this bundle discloses`);
  }
  return { ...verdict, unmatchedFiles: extra };
}

/**
 * The keys a verifier pins: `--log-key VKEY` (the log's note verifier key), and `--policy FILE`
 * (a sigsum policy: its witnesses and quorum; its log lines, when no --log-key, must hold the
 * public key of the log key the bundle names). Undefined when neither is given.
 */
async function trustedKeys(
  opts: { policy?: string; logKey?: string },
  bundleLog: { origin?: unknown; verifierKey?: unknown } | undefined,
  ctx: CommandContext,
): Promise<TrustedKeys | undefined> {
  if (opts.policy === undefined && opts.logKey === undefined) return undefined;
  let log: LogIdentity | undefined;
  if (opts.logKey !== undefined) {
    const v = parseVerifierKey(opts.logKey.trim());
    log = { origin: v.name, verifierKey: opts.logKey.trim() };
  }
  let witnesses: WitnessPolicy | undefined;
  let policyLogs: Uint8Array[] = [];
  if (opts.policy !== undefined) {
    const file = resolve(ctx.cwd, opts.policy);
    const s = await stat(file).catch(() => null);
    if (s === null || !s.isFile())
      throw new UsageError(`the policy file ${opts.policy} does not exist`);
    if (s.size > MAX_POLICY_CHARS)
      throw new UsageError(`${opts.policy} is too large for a policy file`);
    const policy = parsePolicy(await readFile(file, 'utf8'));
    witnesses = flattenPolicy(policy);
    policyLogs = policy.logs.map((l) => l.publicKey);
  }
  if (log === undefined && policyLogs.length > 0 && typeof bundleLog?.origin === 'string') {
    // The policy names the log by its public key alone: the bundle's log key is trusted if it
    // is one of them; if not, the policy's key (under the bundle's origin) is, and fails.
    const origin = bundleLog.origin;
    const named = typeof bundleLog.verifierKey === 'string' ? bundleLog.verifierKey : '';
    let bundleKey: Uint8Array | null = null;
    try {
      bundleKey = parseVerifierKey(named).publicKey;
    } catch {
      bundleKey = null;
    }
    const match = policyLogs.find((k) => bundleKey !== null && bytesEqual(k, bundleKey));
    log =
      match !== undefined
        ? { origin, verifierKey: named }
        : { origin, verifierKey: ed25519VerifierKey(origin, policyLogs[0]!) };
  }
  return { ...(log ? { log } : {}), ...(witnesses ? { witnesses } : {}) };
}
