/**
 * Checking what a person handed over: find the bundle among the files, read it, hash every
 * other file, and verify with the same pure code as `tamga check-evidence`. Failures to start
 * (no bundle, not a bundle, an unreadable file) are `CheckError`s carrying an i18n key.
 */
import {
  EVIDENCE_LIMITS,
  type EvidenceBundle,
  type EvidenceVerdict,
  findBundle,
  type GivenFile,
  type GivenVerdict,
  isPackaging,
  isSystemFile,
  type Message,
  matchGivenFiles,
  outcomeOf,
  parseEvidence,
  type TrustedKeys,
  type TrustInput,
  trustedKeysFrom,
  type VerdictStatus,
  verifyEvidence,
} from '../../src/evidence/index.js';
import { TamgaError } from '../../src/log/errors.js';
import type { PickedFile } from './collect.js';
import { hashBlob } from './hash.js';

export type { TrustInput };

/** Why a check could not start: an i18n key of the `verifier` namespace, and its parameters. */
export class CheckError extends Error {
  readonly key: string;
  readonly params: Readonly<Record<string, string | number>>;

  constructor(key: string, params: Readonly<Record<string, string | number>>, message: string) {
    super(message);
    this.key = key;
    this.params = params;
  }
}

/** Where a check stands, for a progress bar. */
export interface CheckProgress {
  readonly files: number;
  readonly filesDone: number;
  readonly bytes: number;
  readonly bytesDone: number;
}

/** The outcome of a check. */
export interface BundleCheck {
  readonly bundle: EvidenceBundle;
  readonly bundlePath: string;
  readonly verdict: EvidenceVerdict;
  readonly given: readonly GivenVerdict[];
  /**
   * The verdict's status, made `failed` by any file handed over that is not a disclosed file
   * unaltered: `verified` only when the keys were the person's and everything held.
   */
  readonly status: VerdictStatus;
  /** The line that says `status`, first: never at odds with it (`outcomeOf`). */
  readonly summary: Message;
  /** `status` is `verified`. */
  readonly ok: boolean;
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Returns the keys the person gave (a trust statement, or a log key and policy), undefined when
 * none. Throws CheckError `error.trustAmbiguous` for a statement given with a key or policy,
 * `error.statement` for a statement that does not parse, `error.trust` for a key or policy that
 * does not.
 */
export function keysFrom(trust: TrustInput, bundle: EvidenceBundle): TrustedKeys | undefined {
  try {
    return trustedKeysFrom(trust, bundle.log);
  } catch (e) {
    const code = e instanceof TamgaError ? e.code : '';
    if (code === 'trust.ambiguous') {
      throw new CheckError('error.trustAmbiguous', {}, reasonOf(e));
    }
    if ((trust.statement ?? '').trim() !== '') {
      throw new CheckError('error.statement', { reason: reasonOf(e) }, reasonOf(e));
    }
    throw new CheckError('error.trust', { reason: reasonOf(e) }, reasonOf(e));
  }
}

/**
 * Resolves to the check of the files handed over, under the keys in `trust`. Rejects with
 * CheckError `error.noBundle`, `error.tooLarge`, `error.notBundle`, `error.read`, or as
 * `keysFrom`.
 */
export async function checkFiles(
  picked: readonly PickedFile[],
  trust: TrustInput,
  onProgress: (p: CheckProgress) => void = () => {},
): Promise<BundleCheck> {
  const bundleFile = findBundle(picked);
  if (bundleFile === null) {
    throw new CheckError('error.noBundle', {}, 'no evidence.json among the files given');
  }
  if (bundleFile.file.size > EVIDENCE_LIMITS.maxBundleBytes) {
    throw new CheckError(
      'error.tooLarge',
      { name: bundleFile.path },
      `${bundleFile.path} is larger than any evidence bundle`,
    );
  }
  let bundle: EvidenceBundle;
  try {
    bundle = parseEvidence(new Uint8Array(await bundleFile.file.arrayBuffer()));
  } catch (e) {
    if (e instanceof TamgaError) {
      throw new CheckError(
        'error.notBundle',
        { name: bundleFile.path, reason: e.message },
        `${bundleFile.path} is not an evidence bundle: ${e.message}`,
      );
    }
    throw new CheckError('error.read', { name: bundleFile.path, reason: reasonOf(e) }, reasonOf(e));
  }

  const trusted = keysFrom(trust, bundle);

  const toHash = picked.filter(
    (f) => !isPackaging(f.path, bundleFile.path) && !isSystemFile(f.path),
  );
  const total = toHash.reduce((n, f) => n + f.file.size, 0);
  let bytesDone = 0;
  const given: GivenFile[] = [];
  for (const [i, f] of toHash.entries()) {
    onProgress({ files: toHash.length, filesDone: i, bytes: total, bytesDone });
    try {
      const before = bytesDone;
      const digest = await hashBlob(f.file, (n) =>
        onProgress({ files: toHash.length, filesDone: i, bytes: total, bytesDone: before + n }),
      );
      given.push({ path: f.path, digest });
    } catch (e) {
      throw new CheckError('error.read', { name: f.path, reason: reasonOf(e) }, reasonOf(e));
    }
    bytesDone += f.file.size;
  }
  onProgress({ files: toHash.length, filesDone: toHash.length, bytes: total, bytesDone });

  const matched = matchGivenFiles(bundle, bundleFile.path, given);
  const verdict = verifyEvidence(bundle, {
    files: matched.provided,
    ...(trusted ? { trust: trusted } : {}),
  });
  const { status, summary } = outcomeOf(verdict, matched.given);
  return {
    bundle,
    bundlePath: bundleFile.path,
    verdict,
    given: matched.given,
    status,
    summary,
    ok: status === 'verified',
  };
}
