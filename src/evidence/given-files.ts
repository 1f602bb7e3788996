/**
 * What each file handed over with a bundle is to it, by one rule that the offline verifier page
 * and `tamga check-evidence` share, and the one verdict on the bundle and those files together.
 *
 * A file is checked by its digest: its SHA-256 and size are compared with those a disclosed
 * record names (`disclosed`). A file whose digest no record names still stands for the record's
 * file it claims to be when it sits where the bundle puts that file (`files[].path`) or bears a
 * disclosed file's name: it is `altered`, and the record's file then shows as not matching
 * (unless an unaltered copy was given too). Any other file is `not-disclosed`: the bundle says
 * nothing about it, and nothing is proven about it. Any file that is not `disclosed` makes the
 * whole verdict `failed`: a person who hands over files expects each to be proven.
 */
import type { EvidenceBundle } from './bundle.js';
import type { FileDigest } from './files.js';
import { type Message, message } from './messages.js';
import { baseName, dirName } from './packaging.js';
import type { EvidenceVerdict, VerdictStatus } from './verdict.js';

/** A file handed over: where it is (`/`-separated), and its digest. */
export interface GivenFile {
  readonly path: string;
  readonly digest: FileDigest;
}

/** What a file handed over is to the bundle. */
export type GivenStatus = 'disclosed' | 'altered' | 'not-disclosed';

/** The verdict on one file handed over. */
export interface GivenVerdict extends GivenFile {
  readonly status: GivenStatus;
  /** For `altered`: the disclosed file this one should have been. */
  readonly expected: { readonly sha256: string; readonly name: string } | null;
  /** What to tell a person (`given.*`), without the file's path, which is shown beside it. */
  readonly message: Message;
}

/** The files to give `verifyEvidence`, and the verdict on each file handed over. */
export interface MatchedFiles {
  /** By the SHA-256 a record names: the digest of the file given for it. */
  readonly provided: Map<string, FileDigest>;
  /** In the order given. */
  readonly given: GivenVerdict[];
}

/** Returns the files the records of `bundle` name, by SHA-256, with the first name given. */
export function disclosedFiles(bundle: EvidenceBundle): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of bundle.records) {
    const files = r.record.files;
    if (!Array.isArray(files)) continue;
    for (const f of files as unknown[]) {
      if (typeof f !== 'object' || f === null) continue;
      const { sha256, name } = f as { sha256?: unknown; name?: unknown };
      if (typeof sha256 === 'string' && !out.has(sha256)) {
        out.set(sha256, typeof name === 'string' ? name : sha256);
      }
    }
  }
  return out;
}

/**
 * Matches the files handed over with those `bundle` discloses. `bundlePath` is where the
 * bundle's JSON is, in the same namespace as the files' paths, so that `files[].path` is read
 * relative to its folder. Never throws.
 */
export function matchGivenFiles(
  bundle: EvidenceBundle,
  bundlePath: string,
  given: readonly GivenFile[],
): MatchedFiles {
  const disclosed = disclosedFiles(bundle);
  const dir = dirName(bundlePath);
  const byPath = new Map<string, string>();
  for (const f of bundle.files) {
    if (disclosed.has(f.sha256)) byPath.set(dir === '' ? f.path : `${dir}/${f.path}`, f.sha256);
  }
  const byName = new Map<string, string>();
  for (const [sha256, name] of disclosed) if (!byName.has(name)) byName.set(name, sha256);

  const provided = new Map<string, FileDigest>();
  // Exact digests first, so that a good copy is never displaced by an altered one.
  for (const g of given) {
    if (disclosed.has(g.digest.sha256)) provided.set(g.digest.sha256, g.digest);
  }
  const verdicts = given.map((g): GivenVerdict => {
    const { sha256 } = g.digest;
    const name = disclosed.get(sha256);
    if (name !== undefined) {
      return {
        ...g,
        status: 'disclosed',
        expected: null,
        message: message('given.disclosed', { name, sha256 }),
      };
    }
    const claimed = byPath.get(g.path) ?? byName.get(baseName(g.path));
    if (claimed !== undefined) {
      if (!provided.has(claimed)) provided.set(claimed, g.digest);
      const expected = { sha256: claimed, name: disclosed.get(claimed) ?? claimed };
      return {
        ...g,
        status: 'altered',
        expected,
        message: message('given.altered', {
          name: expected.name,
          expected: claimed,
          sha256,
        }),
      };
    }
    return {
      ...g,
      status: 'not-disclosed',
      expected: null,
      message: message('given.not-disclosed'),
    };
  });
  return { provided, given: verdicts };
}

/** The one verdict on a bundle and the files handed over with it. */
export interface Outcome {
  /** The verdict's status, `failed` when a file handed over is not a disclosed file unaltered. */
  readonly status: VerdictStatus;
  /** The line to say first; never at odds with `status`. */
  readonly summary: Message;
}

/**
 * Returns the one verdict on `verdict` and the files `given` with it: the verdict's own when
 * every file given is disclosed, unaltered; else `failed`, with a summary that says so (and
 * never VERIFIED or UNCONFIRMED). Never throws.
 */
export function outcomeOf(verdict: EvidenceVerdict, given: readonly GivenVerdict[]): Outcome {
  const files = given.filter((g) => g.status !== 'disclosed').length;
  if (files === 0) return { status: verdict.status, summary: verdict.summary };
  if (verdict.status === 'failed') {
    return {
      status: 'failed',
      summary: message('verdict.failed-given', { problems: verdict.problems.length, files }),
    };
  }
  return { status: 'failed', summary: message('verdict.given-failed', { files }) };
}
