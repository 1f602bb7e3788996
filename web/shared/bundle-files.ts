/**
 * Which of the files a person handed over is the bundle, and what each other file is to it.
 * Pure, so that the rules are tested without a browser.
 *
 * A file is checked by its digest, as the CLI does (`tamga check-evidence`): its SHA-256 and
 * size are compared with those a disclosed record names. A file whose digest no record names
 * is still tied to the record it claims to be when it sits where the bundle puts that file
 * (`files/<sha256>`) or carries a disclosed file's name: the record's file then shows as not
 * matching — the copy was altered. Any other file is not disclosed by the bundle, and nothing is
 * proven about it.
 */
import type { EvidenceBundle } from '../../src/evidence/bundle.js';
import type { FileDigest } from '../../src/evidence/files.js';
import { baseName, dirName } from './collect.js';

/** The name of the bundle's JSON inside its folder (docs/evidence-bundle.md). */
export const BUNDLE_NAME = 'evidence.json';

/** What else travels in a bundle's folder or ZIP and is not evidence. */
const PACKAGING = new Set(['verifier.html', 'README.txt']);

/**
 * True for files an operating system or archiver leaves in folders (`.DS_Store`, `Thumbs.db`,
 * `__MACOSX/`), which say nothing about the evidence.
 */
export function isSystemFile(path: string): boolean {
  const parts = path.split('/');
  const name = parts[parts.length - 1] ?? '';
  return (
    parts.some((p) => p === '__MACOSX' || (p.startsWith('.') && p.length > 1)) ||
    name === 'Thumbs.db' ||
    name === 'desktop.ini'
  );
}

/**
 * Returns the file that holds the bundle: the `evidence.json` nearest the top, else the only
 * `.json` file given; null when there is none (or several other JSON files to choose from).
 */
export function findBundle<T extends { readonly path: string }>(files: readonly T[]): T | null {
  const depth = (p: string) => p.split('/').length;
  const named = files
    .filter((f) => baseName(f.path) === BUNDLE_NAME && !isSystemFile(f.path))
    .sort((a, b) => depth(a.path) - depth(b.path));
  if (named.length > 0) return named[0]!;
  const json = files.filter((f) => f.path.toLowerCase().endsWith('.json') && !isSystemFile(f.path));
  return json.length === 1 ? json[0]! : null;
}

/** True for a file that is part of the bundle's packaging, not something to check. */
export function isPackaging(path: string, bundlePath: string): boolean {
  const dir = dirName(bundlePath);
  return path === bundlePath || (dirName(path) === dir && PACKAGING.has(baseName(path)));
}

/** A file handed over, and its digest. */
export interface GivenFile {
  readonly path: string;
  readonly digest: FileDigest;
}

/**
 * What a file handed over is: `disclosed` (a record names its digest), `altered` (it stands
 * for a disclosed file, by place or name, but its digest differs), or `not-disclosed`.
 */
export interface GivenVerdict extends GivenFile {
  readonly status: 'disclosed' | 'altered' | 'not-disclosed';
  /** For `altered`: the file the record names, which this one should have been. */
  readonly expected: { readonly sha256: string; readonly name: string } | null;
}

/** The files to give `verifyEvidence`, and the verdict on each file handed over. */
export interface MatchedFiles {
  readonly provided: Map<string, FileDigest>;
  readonly given: GivenVerdict[];
}

/** Returns the files every record of `bundle` names, by SHA-256, with the name it gives. */
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
 * Matches the files handed over with those the bundle discloses. `bundlePath` is where the
 * bundle's JSON was among them, so that `files[].path` is read relative to its folder.
 */
export function matchFiles(
  bundle: EvidenceBundle,
  bundlePath: string,
  given: readonly GivenFile[],
): MatchedFiles {
  const disclosed = disclosedFiles(bundle);
  const dir = dirName(bundlePath);
  const byPath = new Map<string, string>();
  for (const f of bundle.files) byPath.set(dir === '' ? f.path : `${dir}/${f.path}`, f.sha256);
  const byName = new Map<string, string>();
  for (const [sha256, name] of disclosed) if (!byName.has(name)) byName.set(name, sha256);

  const provided = new Map<string, FileDigest>();
  // Exact digests first, so that a good copy is never displaced by an altered one.
  for (const g of given) {
    if (disclosed.has(g.digest.sha256)) provided.set(g.digest.sha256, g.digest);
  }
  const verdicts = given.map((g): GivenVerdict => {
    if (disclosed.has(g.digest.sha256)) return { ...g, status: 'disclosed', expected: null };
    const claimed = byPath.get(g.path) ?? byName.get(baseName(g.path));
    if (claimed !== undefined) {
      if (!provided.has(claimed)) provided.set(claimed, g.digest);
      return {
        ...g,
        status: 'altered',
        expected: { sha256: claimed, name: disclosed.get(claimed) ?? claimed },
      };
    }
    return { ...g, status: 'not-disclosed', expected: null };
  });
  return { provided, given: verdicts };
}
