/**
 * Where the disclosed files go beside a bundle: `files/<first 16 hex digits of the SHA-256>-<the
 * name it was sealed under>`, so that a person who opens the folder or the ZIP sees a scan as
 * `…-bank-statement-12.pdf` that their system opens, while the digest keeps each name unique.
 * The bundle's `files[].path` says where each file is; any safe relative path is allowed
 * (docs/evidence-bundle.md), and this is the one Tamga writes.
 *
 * A sealed name is anyone's text. It becomes a name every file system takes and no viewer
 * misreads: no control, format (bidirectional, invisible) or separator character, none of
 * `/ \ : * ? " < > |`, no leading dot (a hidden file, which checkers skip) or trailing dot or
 * space, no Windows device name, at most `MAX_NAME_BYTES` of UTF-8 with its extension kept.
 */
import { FILES_FOLDER } from './packaging.js';

/** The hex digits of the SHA-256 that start each name. */
export const DIGEST_PREFIX_LENGTH = 16;
/** The sealed name's part of a file's name, in UTF-8 bytes (file systems allow 255). */
export const MAX_NAME_BYTES = 120;

// Cc, Cf, Zl, Zp and lone surrogates, as src/records/printable.ts; and what Windows refuses.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}/\\:*?"<>|]/gu;
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
const EXTENSION = /\.[\p{L}\p{N}]{1,16}$/u;

const utf8 = new TextEncoder();

/** Returns the longest start of `text`, whole code points, of at most `bytes` UTF-8 bytes. */
function truncate(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const c of text) {
    const n = utf8.encode(c).length;
    if (used + n > bytes) break;
    out += c;
    used += n;
  }
  return out;
}

/**
 * Returns `name` (a sealed file's name, perhaps a path) as a safe file name: its last part,
 * NFC, each unsafe character `_`, bounded with its extension kept; `file` when nothing is left.
 * Never throws.
 */
export function safeFileName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  let safe = last
    .normalize('NFC')
    .replace(UNSAFE, '_')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  if (DEVICE.test(safe)) safe = `_${safe}`;
  if (utf8.encode(safe).length > MAX_NAME_BYTES) {
    const ext = EXTENSION.exec(safe)?.[0] ?? '';
    const stem = truncate(safe.slice(0, safe.length - ext.length), MAX_NAME_BYTES - ext.length);
    safe = `${stem.replace(/[\s.]+$/u, '')}${ext}`;
  }
  return safe === '' ? 'file' : safe;
}

/**
 * Returns where each file goes beside the bundle, by SHA-256: `files/<prefix>-<safe name>`,
 * unique even where file systems ignore case; a file whose name would clash takes its whole
 * SHA-256 instead of the prefix (and a number, should that clash too). Files are given once each, by distinct SHA-256.
 */
export function disclosedFilePaths(
  files: Iterable<{ readonly sha256: string; readonly name: string }>,
): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const f of files) {
    if (out.has(f.sha256)) continue;
    const name = safeFileName(f.name);
    let path = `${FILES_FOLDER}/${f.sha256.slice(0, DIGEST_PREFIX_LENGTH)}-${name}`;
    // Only a name crafted to look like another's digest and name can clash twice.
    for (let n = 1; taken.has(path.toLowerCase()); n++) {
      path = `${FILES_FOLDER}/${f.sha256}${n === 1 ? '' : `-${n}`}-${name}`;
    }
    taken.add(path.toLowerCase());
    out.set(f.sha256, path);
  }
  return out;
}
