/**
 * Measures encryption and decryption speed against typage (pure TypeScript age), on the same
 * plaintext, in one process: `node --import tsx bench/age-speed.ts [MiB]`
 * (default 256). Streams run in memory, then encryptFile/decryptFile through the temporary
 * directory, after a warm-up pass. Outputs are checked against the plaintext's SHA-256, and
 * each implementation decrypts the other's file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter } from 'age-encryption';
import {
  decryptFile,
  decryptStream,
  encryptFile,
  encryptStream,
  generateX25519Identity,
} from '../src/vault/age/index.js';

const MiB = 1 << 20;
const mib = Number(process.argv[2] ?? 256);
const block = randomBytes(MiB);
const plaintext = Array.from({ length: mib }, (_, i) => {
  const b = Buffer.from(block);
  b.writeUInt32BE(i, 0);
  return b;
});
const size = mib * MiB;
const digest = (parts: readonly Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const want = digest(plaintext);

function report(name: string, ms: number, sha: string): void {
  const ok = sha === want ? 'ok' : 'MISMATCH';
  console.log(
    `${name.padEnd(34)} ${(size / 1e6 / (ms / 1e3)).toFixed(0).padStart(6)} MB/s  (${ms.toFixed(0)} ms, ${ok})`,
  );
}

async function runNode(transform: Transform, input: readonly Buffer[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(input),
    transform,
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return out;
}

async function runWeb(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) out.push(chunk);
  return out;
}

function webStream(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
  });
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

/** Splits bytes into 1 MiB pieces, as a file read would deliver them. */
function pieces(parts: readonly Uint8Array[]): Buffer[] {
  const all = Buffer.concat(parts);
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += MiB) out.push(all.subarray(i, i + MiB));
  return out;
}

async function run(input: readonly Buffer[], print: boolean): Promise<void> {
  const show = (name: string, ms: number, sha: string) => print && report(name, ms, sha);
  const { identity, recipient } = generateX25519Identity();

  const [ours, encMs] = await time(() => runNode(encryptStream([recipient]), input));
  show('tamga encryptStream', encMs, want);
  const oursFile = pieces(ours);
  ours.length = 0;
  const [back, decMs] = await time(() => runNode(decryptStream([identity]), oursFile));
  show('tamga decryptStream', decMs, digest(back));
  back.length = 0;

  const dir = await mkdtemp(join(tmpdir(), 'tamga-age-speed-'));
  try {
    const src = join(dir, 'plain');
    await writeFile(src, Buffer.concat(input));
    const [, encFileMs] = await time(() => encryptFile(src, join(dir, 'enc.age'), [recipient]));
    show(`tamga encryptFile (${tmpdir()})`, encFileMs, want);
    const [, decFileMs] = await time(() =>
      decryptFile(join(dir, 'enc.age'), join(dir, 'dec'), [identity]),
    );
    const h = createHash('sha256');
    await pipeline(createReadStream(join(dir, 'dec')), h);
    show(`tamga decryptFile (${tmpdir()})`, decFileMs, h.digest('hex'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const e = new Encrypter();
  e.addRecipient(recipient);
  const [theirs, tEncMs] = await time(async () => runWeb(await e.encrypt(webStream(input))));
  show('typage Encrypter (stream)', tEncMs, want);
  const d = new Decrypter();
  d.addIdentity(identity);
  const [tBack, tDecMs] = await time(async () => runWeb(await d.decrypt(webStream(oursFile))));
  show('typage Decrypter (our file)', tDecMs, digest(tBack));
  const theirsFile = pieces(theirs);
  theirs.length = 0;
  const [oursBack, crossMs] = await time(() => runNode(decryptStream([identity]), theirsFile));
  show('tamga decryptStream (typage file)', crossMs, digest(oursBack));
}

console.log(`${mib} MiB in 1 MiB pieces, node ${process.version}, ${new Date().toISOString()}`);
// A first pass on a sixteenth of the data lets the JIT and the allocator settle, for both.
await run(plaintext.slice(0, Math.max(1, mib >> 4)), false);
await run(plaintext, true);
