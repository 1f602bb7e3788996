/**
 * What travels with an evidence bundle besides the files it discloses (docs/evidence-bundle.md,
 * "Files travel beside the bundle"), in one list that every writer names its files from and
 * every checker — the offline verifier page, the web app's Verify screen, `tamga check-evidence`
 * — leaves out of what it checks: a file in this list is packaging, never "a file the bundle
 * does not disclose".
 *
 * Paths are `/`-separated, as in a ZIP or a dropped folder.
 */
import { isTlogProofPath } from './tlog-proof.js';

/** The bundle's JSON inside its folder or ZIP. */
export const BUNDLE_NAME = 'evidence.json';
/** How to check the bundle, in plain words (`evidenceReadme`). */
export const README_NAME = 'README.txt';
/** The offline verifier page, one self-contained HTML file. */
export const VERIFIER_NAME = 'verifier.html';
/** A books diff's report, as printed (`tamga books diff -o`, the books diff ZIP). */
export const DIFF_REPORT_TEXT_NAME = 'diff-report.txt';
/** A books diff's report as JSON. */
export const DIFF_REPORT_JSON_NAME = 'diff-report.json';

/**
 * The files Tamga writes beside a bundle's JSON, in its folder: the README, the verifier and a
 * books diff's reports. Each record's proof, `proofs/<record id>.tlog-proof` (a C2SP tlog-proof
 * file repeating what evidence.json proves), travels with it too; see `isPackaging`.
 */
export const PACKAGING_NAMES: readonly string[] = [
  README_NAME,
  VERIFIER_NAME,
  DIFF_REPORT_TEXT_NAME,
  DIFF_REPORT_JSON_NAME,
];

/** The disclosed files' folder beside the bundle (`files[].path` may name any other). */
export const FILES_FOLDER = 'files';

/** Returns the last `/`-separated part of a path. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Returns everything before the last `/` of a path, or `''`. */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

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
 * `.json` file given (a books diff's report aside); null when there is none, or several other
 * JSON files to choose from.
 */
export function findBundle<T extends { readonly path: string }>(files: readonly T[]): T | null {
  const depth = (p: string) => p.split('/').length;
  const named = files
    .filter((f) => baseName(f.path) === BUNDLE_NAME && !isSystemFile(f.path))
    .sort((a, b) => depth(a.path) - depth(b.path));
  if (named.length > 0) return named[0]!;
  const json = files.filter(
    (f) =>
      f.path.toLowerCase().endsWith('.json') &&
      !isSystemFile(f.path) &&
      baseName(f.path) !== DIFF_REPORT_JSON_NAME,
  );
  return json.length === 1 ? json[0]! : null;
}

/**
 * True for a file that travels with the bundle whose JSON is at `bundlePath`, rather than a
 * file to check: the bundle itself, a name of `PACKAGING_NAMES` in its folder, or a record's
 * proof in `proofs/` there. The same name elsewhere (`files/README.txt`) is a file to check.
 */
export function isPackaging(path: string, bundlePath: string): boolean {
  const dir = dirName(bundlePath);
  if (path === bundlePath) return true;
  if (dirName(path) === dir && PACKAGING_NAMES.includes(baseName(path))) return true;
  const inDir = dir === '' ? path : path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null;
  return inDir !== null && isTlogProofPath(inDir);
}
