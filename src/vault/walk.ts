/**
 * Walks the files and folders given to `tamga seal`: regular files, in a stable order, with the
 * path each is sealed under. Symbolic links to files are followed; links to folders are not
 * (so a link loop cannot trap the walk); anything else is reported, not sealed.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';

/** A regular file to seal. */
export interface WalkedFile {
  /** The path to open: a Buffer when the name is not valid UTF-8, so it can still be opened. */
  readonly fsPath: string | Buffer;
  /** The path recorded in the vault, '/'-separated, as given on the command line. */
  readonly recordPath: string;
  /** The bytes of the record path as the names were on disk (differs when a name is not UTF-8). */
  readonly rawRecordPath: Buffer;
  /** True when some name on the path is not valid UTF-8 and `recordPath` shows U+FFFD for it. */
  readonly lossyName: boolean;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Something the walk met and did not seal, and why. */
export interface WalkSkip {
  readonly recordPath: string;
  readonly reason: string;
}

export type WalkItem = { file: WalkedFile } | { skip: WalkSkip };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

function decodeName(name: Buffer): { text: string; lossy: boolean } {
  try {
    return { text: utf8.decode(name), lossy: false };
  } catch {
    return { text: lossy.decode(name), lossy: true };
  }
}

function _toRecordPath(given: string): string {
  return (
    given
      .split(sep)
      .filter((p, i) => p !== '' || i === 0)
      .join('/')
      .replace(/^\.\//, '') || '.'
  );
}

/** Joins a folder and a raw name, as a string while both are valid UTF-8, else as bytes. */
function joinPath(
  base: string | Buffer,
  name: Buffer,
  decoded: { text: string; lossy: boolean },
): string | Buffer {
  return typeof base === 'string' && !decoded.lossy
    ? join(base, decoded.text)
    : Buffer.concat([Buffer.from(base), Buffer.from(sep), name]);
}

/**
 * Yields every file under `given`, depth first, names sorted by their bytes. Files are recorded
 * under `recordRoot` joined with their path inside `given` ('/'-separated); a single file given
 * directly is recorded as `recordRoot` itself.
 */
export async function* walk(given: string, recordRoot: string): AsyncGenerator<WalkItem> {
  const recordPath = recordRoot;
  let s: Stats;
  try {
    s = await stat(given);
  } catch (e) {
    yield { skip: { recordPath: recordPath || given, reason: describe(e) } };
    return;
  }
  if (s.isDirectory()) {
    yield* walkDirectory(
      resolve(given),
      recordPath,
      Buffer.from(recordPath),
      false,
      new Set([`${s.dev}:${s.ino}`]),
    );
  } else if (s.isFile()) {
    const path = recordPath || basename(given);
    yield {
      file: {
        fsPath: given,
        recordPath: path,
        rawRecordPath: Buffer.from(path),
        lossyName: false,
        size: s.size,
        mtimeMs: s.mtimeMs,
      },
    };
  } else {
    yield { skip: { recordPath: recordPath || given, reason: 'not a regular file or folder' } };
  }
}

async function* walkDirectory(
  dir: string | Buffer,
  recordDir: string,
  rawRecordDir: Buffer,
  lossyDir: boolean,
  seen: Set<string>,
): AsyncGenerator<WalkItem> {
  let entries: Dirent<Buffer>[];
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (e) {
    yield { skip: { recordPath: recordDir, reason: describe(e) } };
    return;
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const name = decodeName(entry.name);
    const fsPath = joinPath(dir, entry.name, name);
    const recordPath = recordDir === '' ? name.text : `${recordDir}/${name.text}`;
    const rawRecordPath =
      rawRecordDir.length === 0
        ? entry.name
        : Buffer.concat([rawRecordDir, Buffer.from('/'), entry.name]);
    const isLossy = lossyDir || name.lossy;
    let s: Stats;
    try {
      s = entry.isSymbolicLink() ? await stat(fsPath) : await lstat(fsPath);
    } catch (e) {
      yield {
        skip: {
          recordPath,
          reason: entry.isSymbolicLink() ? `broken symbolic link (${describe(e)})` : describe(e),
        },
      };
      continue;
    }
    if (s.isDirectory()) {
      if (entry.isSymbolicLink()) {
        yield { skip: { recordPath, reason: 'symbolic link to a folder, not followed' } };
        continue;
      }
      const id = `${s.dev}:${s.ino}`;
      if (seen.has(id)) continue;
      seen.add(id);
      yield* walkDirectory(fsPath, recordPath, rawRecordPath, isLossy, seen);
    } else if (s.isFile()) {
      yield {
        file: {
          fsPath,
          recordPath,
          rawRecordPath,
          lossyName: isLossy,
          size: s.size,
          mtimeMs: s.mtimeMs,
        },
      };
    } else {
      yield { skip: { recordPath, reason: 'not a regular file (device, socket or pipe)' } };
    }
  }
}

/** Returns a short, plain reason for a file-system error. */
export function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'input/output error reading the disk';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the disk';
    case 'EROFS':
      return 'the disk is read-only';
    default:
      return (e as Error)?.message ?? String(e);
  }
}
