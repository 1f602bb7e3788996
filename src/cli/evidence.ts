/**
 * `tamga evidence ID... -o OUT`: disclose chosen records as an evidence bundle that anyone can
 * check without the vault; `tamga check-evidence OUT [FILES...]` checks one, with no vault at all.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileDigest } from '../evidence/files.js';
import {
  assembleEvidence,
  BUNDLE_NAME,
  bundleFingerprint,
  describeVerdict,
  disclosedFilePaths,
  EVIDENCE_LIMITS,
  type EvidenceBundle,
  type EvidenceVerdict,
  evidenceReadme,
  findBundle,
  formatEvidence,
  type GivenFile,
  type GivenVerdict,
  isPackaging,
  isSystemFile,
  type LogIdentity,
  MAX_POLICY_CHARS,
  matchGivenFiles,
  outcomeOf,
  parseEvidence,
  README_NAME,
  readZip,
  type TrustedKeys,
  trustedKeysFrom,
  VERIFIER_NAME,
  type VerdictStatus,
  verifyEvidence,
  ZipError,
  type ZipMember,
} from '../evidence/index.js';
import { TLOG_PROOFS_FOLDER, tlogProofOfRecord, tlogProofPath } from '../evidence/tlog-proof.js';
import { openCheckpoint } from '../log/checkpoint.js';
import { inclusionProofSync } from '../log/proof.js';
import { SyncTileHashReader } from '../log/tiles.js';
import { verifierFileIn, WEB_DIST } from '../platform/web-dist.js';
import { decryptBlobTo } from '../vault/blobs.js';
import { VaultError } from '../vault/errors.js';
import { latestCheckpoint, tileReader } from '../vault/log-store.js';
import { fileProver } from '../vault/prove-file.js';
import { getRecord, listRecords, type StoredRecord } from '../vault/query.js';
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
import { pinnedStatement, readStatementArgument } from './trust-store.js';
import { hashFile } from './verify.js';

export interface EvidenceCommandOptions extends VaultOptions {
  out?: string;
  tag?: string;
  file?: string[];
  withFiles?: boolean;
}

/**
 * Writes a bundle of the chosen records; resolves to the bundle file's path. Into a folder, it
 * writes what the web app's evidence ZIP holds: evidence.json, README.txt, verifier.html (when
 * the browser build has it), proofs/ and, with --with-files, files/<sha256 prefix>-<name>.
 */
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
    // Files are found as verify finds them: through records the log proves, not the bare index.
    const prove = fileProver(vault);
    for (const f of opts.file ?? []) {
      const proof = prove(await hashFile(resolve(ctx.cwd, f)));
      if (proof.status !== 'sealed') {
        throw new VaultError(
          'record.missing',
          `${f} is not sealed in this vault${proof.status === 'damaged' ? ' (the vault is damaged: run tamga fsck)' : ''}`,
        );
      }
      for (const r of proof.records) chosen.set(r.stored.index, r.stored);
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
      const paths = disclosedFilePaths(records.flatMap((s) => s.record.files));
      for (const [sha256, rel] of paths) {
        await decryptBlobTo(vault.layout, sha256, keys.ageIdentity, join(outDir, rel));
        files.push({ sha256, path: rel });
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
    // Each record's proof also as a C2SP tlog-proof file, which any tlog client can check
    // without reading the bundle; written first, so that a failure leaves no bundle behind.
    await mkdir(join(outDir, TLOG_PROOFS_FOLDER), { recursive: true });
    for (const entry of bundle.records) {
      await writeFileDurably(
        join(outDir, tlogProofPath(String(entry.record.id))),
        tlogProofOfRecord(entry, bundle.checkpoint),
      );
    }
    if (!jsonOut) {
      // What the web app's ZIP holds beside the bundle: the README and the offline verifier.
      await writeFileDurably(join(outDir, README_NAME), evidenceReadme(bundleFingerprint(bundle)));
      const verifier = verifierFileIn(WEB_DIST);
      const page = await readFile(verifier).catch(() => null);
      if (page !== null) {
        await writeFileDurably(join(outDir, VERIFIER_NAME), page);
      } else {
        ctx.err(
          `The offline verifier is not built (${verifier}; npm run build:web): the bundle is written without ${VERIFIER_NAME}.`,
        );
      }
    }
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

/** Options of `tamga check-evidence`. */
export interface CheckEvidenceOptions {
  json?: boolean;
  /** A trust statement: its file, or its one-line form. */
  trust?: string;
  policy?: string;
  logKey?: string;
}

/** The outcome of `check-evidence`: the verdict, and the verdict on each file given. */
export type CheckEvidenceResult = EvidenceVerdict & {
  /** Every file given or carried with the bundle, by the rule the offline verifier uses. */
  given: GivenVerdict[];
  /** The files given that are not disclosed files, unaltered (altered or not disclosed). */
  unmatchedFiles: string[];
  /** The one verdict, files included: `failed` when a file given is not a disclosed file. */
  outcome: VerdictStatus;
};

/** A file to check: where it is shown as, and how to read it. */
interface Candidate {
  /** `/`-separated, in the namespace of the bundle's path (see `Located`). */
  readonly path: string;
  readonly digest: () => Promise<FileDigest>;
  /** Where it is on disk, to give each file once; null inside a ZIP. */
  readonly file: string | null;
}

/** A bundle found where `check-evidence` was pointed, and the files that came with it. */
interface Located {
  readonly bundle: EvidenceBundle;
  /** Where the bundle's JSON is, in the namespace of the paths of `carried`. */
  readonly bundlePath: string;
  /** The files that travel with the bundle: its ZIP's entries, or those its folder holds. */
  readonly carried: readonly Candidate[];
}

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/** `path` relative to `from`, with `/` separators. */
const relativePath = (from: string, path: string) => relative(from, path).split(sep).join('/');

async function digestFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function digestBlob(blob: Blob): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    size += value.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** True when the file `path` starts as a ZIP archive does. */
async function startsAsZip(path: string): Promise<boolean> {
  const fd = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fd.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_MAGIC.some((m) => m.equals(head));
  } finally {
    await fd.close();
  }
}

/**
 * Reads the bundle in the ZIP archive `path` (shown as `shown`), as the offline verifier page
 * does: every entry is carried with it, each path prefixed with `shown`.
 */
async function locateInZip(path: string, shown: string, target: string): Promise<Located> {
  let members: ZipMember[];
  try {
    members = await readZip(await openAsBlob(path), shown);
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    throw new ZipError(`${target} cannot be read as a ZIP archive: ${e.message}`);
  }
  const entry = findBundle(members);
  if (entry === null) throw new UsageError(`${target} holds no ${BUNDLE_NAME}`);
  if (entry.file.size > EVIDENCE_LIMITS.maxBundleBytes) {
    throw new UsageError(`${entry.path} is larger than 100 MB, more than any evidence bundle`);
  }
  const bundle = parseEvidence(new Uint8Array(await entry.file.arrayBuffer()));
  const carried = members
    .filter((m) => !isPackaging(m.path, entry.path) && !isSystemFile(m.path))
    .map((m): Candidate => ({ path: m.path, digest: () => digestBlob(m.file), file: null }));
  return { bundle, bundlePath: entry.path, carried };
}

/**
 * Reads the bundle at `bundleFile` (its JSON), paths relative to `cwd`: the files carried with
 * it are those its `files` name, where they are beside it.
 */
async function locateInFolder(bundleFile: string, target: string, cwd: string): Promise<Located> {
  const bs = await stat(bundleFile).catch(() => null);
  if (bs === null) throw new UsageError(`${target} holds no ${BUNDLE_NAME}`);
  if (bs.size > EVIDENCE_LIMITS.maxBundleBytes) {
    throw new UsageError(`${bundleFile} is larger than 100 MB, more than any evidence bundle`);
  }
  const text = await readFile(bundleFile);
  // A bundle that does not parse is a clear error (FormatError, SchemaError), never a stack.
  const bundle = parseEvidence(new Uint8Array(text.buffer, text.byteOffset, text.length));
  const carried: Candidate[] = [];
  // Paths checked by parseEvidence: none leaves the bundle's folder.
  for (const f of bundle.files) {
    const file = join(dirname(bundleFile), f.path);
    if ((await stat(file).catch(() => null))?.isFile()) {
      carried.push({ path: relativePath(cwd, file), digest: () => digestFile(file), file });
    }
  }
  return { bundle, bundlePath: relativePath(cwd, bundleFile), carried };
}

/**
 * Checks a bundle — its folder, its JSON file, or the ZIP archive it was downloaded as — with
 * no vault, together with the files it carries and any `files` said to be the disclosed ones.
 * Each file is judged by the rule the offline verifier page uses (src/evidence/given-files.ts):
 * disclosed, altered, or not disclosed; the packaging (README.txt, verifier.html, proofs/, a
 * books diff's reports) is not checked. The keys come from `--trust`, else
 * `--log-key`/`--policy`, else the statement pinned for the bundle's log (`tamga trust add`);
 * without any, the verdict is at best unconfirmed. Resolves to the verdict; throws UsageError
 * when there is no bundle there, ZipError for an archive that cannot be read, and the errors of
 * parseEvidence for a bundle that does not parse.
 */
export async function checkEvidenceCommand(
  target: string,
  files: readonly string[],
  opts: CheckEvidenceOptions,
  ctx: CommandContext,
): Promise<CheckEvidenceResult> {
  const path = resolve(ctx.cwd, target);
  const s = await stat(path).catch(() => null);
  if (s === null) throw new UsageError(`${target} does not exist`);
  const located = s.isDirectory()
    ? await locateInFolder(join(path, BUNDLE_NAME), target, ctx.cwd)
    : path.toLowerCase().endsWith('.zip') || (await startsAsZip(path))
      ? await locateInZip(path, relativePath(ctx.cwd, path), target)
      : await locateInFolder(path, target, ctx.cwd);
  const { bundle, bundlePath } = located;
  const trust = await trustedKeys(opts, bundle.log, ctx);

  // The files carried, then those named, each once; never the bundle or its packaging.
  const candidates = [...located.carried];
  const seen = new Set(candidates.flatMap((c) => (c.file === null ? [] : [c.file])));
  for (const f of files) {
    const file = resolve(ctx.cwd, f);
    const shown = relativePath(ctx.cwd, file);
    if (seen.has(file) || isPackaging(shown, bundlePath) || isSystemFile(shown)) continue;
    seen.add(file);
    candidates.push({ path: shown, digest: () => digestFile(file), file });
  }
  const given: GivenFile[] = [];
  for (const c of candidates) given.push({ path: c.path, digest: await c.digest() });
  const matched = matchGivenFiles(bundle, bundlePath, given);
  const verdict = verifyEvidence(bundle, {
    files: matched.provided,
    ...(trust ? { trust } : {}),
  });
  const outcome = outcomeOf(verdict, matched.given);
  const result: CheckEvidenceResult = {
    ...verdict,
    given: matched.given,
    unmatchedFiles: matched.given.filter((g) => g.status !== 'disclosed').map((g) => g.path),
    outcome: outcome.status,
  };
  if (opts.json) {
    ctx.out(JSON.stringify(result));
    return result;
  }
  // One verdict first, then the details: never "NOT VERIFIED" followed by "VERIFIED".
  for (const line of describeVerdict(verdict, 'en', { outcome, files: matched.given })) {
    ctx.out(line);
  }
  if (outcome.status === 'unconfirmed') {
    ctx.out('');
    ctx.out(`Fingerprint of the keys in this bundle: ${verdict.fingerprint}`);
    ctx.out(
      "Ask the union for its fingerprint by a channel you trust (its website, its ILO complaint, a partner). If they match, pin its trust statement (tamga trust add FILE) or give it with --trust FILE, and check again. If they differ, this bundle is not the union's.",
    );
  }
  return result;
}

/**
 * The keys a verifier pins: `--trust` (a statement's file or one-line form), else `--log-key`
 * and `--policy` (src/evidence/trust.ts, `trustedKeysFrom`), else the statement pinned for the
 * bundle's log with `tamga trust add`. Undefined when there is none.
 */
async function trustedKeys(
  opts: CheckEvidenceOptions,
  bundleLog: LogIdentity,
  ctx: CommandContext,
): Promise<TrustedKeys | undefined> {
  if (opts.trust !== undefined && (opts.policy !== undefined || opts.logKey !== undefined)) {
    throw new UsageError('give either --trust, or --log-key and --policy, not both');
  }
  if (opts.trust !== undefined) {
    const statement = await readStatementArgument(ctx, opts.trust);
    return { log: statement.log, witnesses: statement.witnesses };
  }
  if (opts.policy === undefined && opts.logKey === undefined) {
    const pinned = await pinnedStatement(ctx, bundleLog.origin);
    return pinned === null ? undefined : { log: pinned.log, witnesses: pinned.witnesses };
  }
  let policy: string | undefined;
  if (opts.policy !== undefined) {
    const file = resolve(ctx.cwd, opts.policy);
    const s = await stat(file).catch(() => null);
    if (s === null || !s.isFile())
      throw new UsageError(`the policy file ${opts.policy} does not exist`);
    if (s.size > MAX_POLICY_CHARS)
      throw new UsageError(`${opts.policy} is too large for a policy file`);
    policy = await readFile(file, 'utf8');
  }
  return trustedKeysFrom(
    {
      ...(opts.logKey !== undefined ? { logKey: opts.logKey } : {}),
      ...(policy !== undefined ? { policy } : {}),
    },
    bundleLog,
  );
}
