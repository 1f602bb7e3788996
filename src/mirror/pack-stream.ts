/**
 * A pack (pack.ts) read from disk as a server sends it: each file opened, read and closed once,
 * with no stat and no stream of its own, and the next few small files read ahead while one is
 * sent. A file whose length is not the one listed breaks the stream, so that a client never
 * takes a wrong file for a right one: the server cut it off, and the client says so.
 */
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { BlobFile } from './format.js';
import { packEnd, packFileHeader, packStart } from './pack.js';

const openFile = promisify(open);
const closeFile = promisify(close);

/** Reads into `buf` at `offset`, at most `length` bytes, from the file's position. */
function readInto(fd: number, buf: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, offset, length, null, (e, n) => (e ? reject(e) : resolve(n)));
  });
}

/** Files up to this size are read whole, in one call, and sent as one chunk with their header. */
const WHOLE = 1 << 20;
/** Small files read ahead of the one being sent. */
const AHEAD = 4;
/** The chunk size of larger files. */
const CHUNK = 1 << 20;

/** Returns the pack of `files`, read from their paths; the stream fails if one is not as listed. */
export function packStream(files: readonly BlobFile[]): Readable {
  return Readable.from(packChunks(files), { objectMode: false, highWaterMark: 1 << 20 });
}

async function* packChunks(files: readonly BlobFile[]): AsyncGenerator<Uint8Array> {
  yield packStart();
  const ahead = new Map<number, Promise<Uint8Array>>();
  let next = 0;
  const fill = (from: number) => {
    next = Math.max(next, from);
    while (next < files.length && next < from + AHEAD && files[next]!.size <= WHOLE) {
      const p = readWhole(files[next]!);
      p.catch(() => {}); // awaited in order below
      ahead.set(next++, p);
    }
  };
  for (let i = 0; i < files.length; i++) {
    fill(i);
    const pending = ahead.get(i);
    if (pending !== undefined) {
      ahead.delete(i);
      yield await pending;
      continue;
    }
    const f = files[i]!;
    yield packFileHeader(f.name, f.size);
    yield* readChunks(f);
  }
  yield packEnd();
}

/** The header and the bytes of a small file, as one buffer. */
async function readWhole(f: BlobFile): Promise<Uint8Array> {
  const header = packFileHeader(f.name, f.size);
  // One byte more than listed: a longer file is caught by the same read.
  const buf = Buffer.allocUnsafe(header.length + f.size + 1);
  buf.set(header, 0);
  const fd = await openFile(f.path, 'r');
  try {
    let got = 0;
    for (;;) {
      const n = await readInto(fd, buf, header.length + got, f.size + 1 - got);
      if (n === 0) break;
      got += n;
      if (got > f.size) throw wrongLength(f);
    }
    if (got !== f.size) throw wrongLength(f);
  } finally {
    await closeFile(fd);
  }
  return buf.subarray(0, header.length + f.size);
}

async function* readChunks(f: BlobFile): AsyncGenerator<Uint8Array> {
  const fd = await openFile(f.path, 'r');
  try {
    let left = f.size;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left + 1));
      const n = await readInto(fd, buf, 0, buf.length);
      if (n === 0) break;
      if (n > left) throw wrongLength(f);
      left -= n;
      yield buf.subarray(0, n);
    }
    if (left !== 0) throw wrongLength(f);
  } finally {
    await closeFile(fd);
  }
}

function wrongLength(f: BlobFile): Error {
  return new Error(`the encrypted file ${f.name} is not of the ${f.size} bytes it was listed with`);
}
