/**
 * `tamga demo`: the log core at work on real files, for a first look and as a smoke test.
 * Seals two batches of records into a tiled log on disk, has two witnesses check and cosign
 * each checkpoint, proves one record from the tiles, and shows a tampered record and a forked
 * history being refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  addSignatures,
  bytesEqual,
  type Checkpoint,
  type Cosigner,
  checkCosignatures,
  consistencyProof,
  cosigner,
  type Ed25519Signer,
  formatEntryBundle,
  formatTilePath,
  generateSignerKey,
  type Hash,
  type HashTile,
  inclusionProof,
  leafHash,
  openCheckpoint,
  parseCosignatureVerifierKey,
  parseEntryBundle,
  parseSignerKey,
  parseVerifierKey,
  rootFromTiles,
  sha256,
  signCheckpoint,
  TamgaError,
  TileHashReader,
  TileWriter,
  TreeBuilder,
  verifyConsistency,
  verifyInclusion,
} from '../log/index.js';

/** Options of `tamga demo`. */
export interface DemoOptions {
  /** Where to write the log; a new temporary directory by default. */
  dir?: string;
  /** Records in the first batch; the second has half as many. */
  records?: number;
}

const ORIGIN = 'demo.tamga.example/log';
const encoder = new TextEncoder();

/** A tiled log on disk, written the way `tamga serve` will publish it. */
class DemoLog {
  private readonly builder = new TreeBuilder();
  private readonly writer = new TileWriter();
  private readonly pendingEntries: Uint8Array[] = [];
  private entriesTileStart = 0;

  constructor(
    readonly dir: string,
    private readonly signer: Ed25519Signer,
  ) {}

  get size(): number {
    return this.builder.size;
  }

  /** Appends commitments, writes the changed tiles and entry bundles, signs a checkpoint. */
  async appendBatch(commitments: readonly Uint8Array[]): Promise<string> {
    for (const c of commitments) {
      this.builder.append(leafHash(c), this.writer.sink);
      this.pendingEntries.push(c);
    }
    for (const { tile, data } of this.writer.flush()) {
      await this.put(formatTilePath(tile), data);
    }
    // Entry bundles: one per 256 entries, the last one partial.
    while (this.pendingEntries.length > 0) {
      const take = Math.min(256, this.pendingEntries.length);
      const index = this.entriesTileStart / 256;
      const bundle = this.pendingEntries.slice(0, take);
      await this.put(
        formatTilePath({ level: 'entries', index, width: take }),
        formatEntryBundle(bundle),
      );
      if (take === 256) {
        this.pendingEntries.splice(0, 256);
        this.entriesTileStart += 256;
      } else {
        break;
      }
    }
    const checkpoint = signCheckpoint(
      { origin: ORIGIN, size: this.size, root: this.builder.root() },
      this.signer,
    );
    await this.put('checkpoint', encoder.encode(checkpoint));
    return checkpoint;
  }

  /** Reads tiles back from disk, as any client of the public log would. */
  readonly tiles = {
    readTiles: (tiles: readonly HashTile[]) =>
      Promise.all(
        tiles.map(async (t) => new Uint8Array(await readFile(join(this.dir, formatTilePath(t))))),
      ),
  };

  private async put(path: string, data: Uint8Array): Promise<void> {
    const file = join(this.dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
  }
}

/** A witness as tlog-witness describes it: it cosigns only extensions of what it saw. */
class DemoWitness {
  private latest: Checkpoint | undefined;

  constructor(
    readonly key: Cosigner,
    private readonly logKey: string,
  ) {}

  /** Checks a checkpoint and its consistency proof from the last one cosigned, then cosigns. */
  addCheckpoint(note: string, proof: readonly Hash[], now: number): string {
    const { checkpoint } = openCheckpoint(note, parseVerifierKey(this.logKey));
    const old = this.latest;
    if (old !== undefined && old.size > 0) {
      verifyConsistency(old.size, checkpoint.size, old.root, checkpoint.root, proof);
    }
    this.latest = checkpoint;
    return addSignatures(note, [this.key.signer(now)]);
  }
}

/** Runs the demonstration, writing plain lines through `say`. Resolves to the log's directory. */
export async function runDemo(
  options: DemoOptions = {},
  say: (line: string) => void = console.log,
): Promise<string> {
  const records = options.records ?? 1000;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tamga-demo-')));
  const logKey = parseSignerKey(generateSignerKey(ORIGIN, randomBytes(32)));
  const witnesses = ['witness.global-union.example', 'witness.law-firm.example'].map(
    (name) => new DemoWitness(cosigner(name, randomBytes(32)), logKey.verifierKey),
  );
  const policy = witnesses.map((w) => parseCosignatureVerifierKey(w.key.verifierKey));
  const log = new DemoLog(dir, logKey);

  say(`Tamga log demonstration, writing to ${dir}`);
  say(`  log origin:   ${ORIGIN}`);
  say(`  verifier key: ${logKey.verifierKey}`);
  say(`  witnesses:    ${witnesses.map((w) => w.key.name).join(', ')} (both must cosign)`);

  // A record's log entry is a salted commitment: the log shows 32 opaque bytes, nothing else.
  const salts: Uint8Array[] = [];
  const texts: string[] = [];
  const commit = (text: string) => {
    const salt = randomBytes(32);
    salts.push(salt);
    texts.push(text);
    return sha256(concat(encoder.encode('tamga/record/v1\n'), salt, encoder.encode(text)));
  };

  let previous: { size: number; root: Hash } | undefined;
  let cosigned = '';
  for (const [batch, count] of [
    [1, records],
    [2, Math.max(1, Math.floor(records / 2))],
  ] as const) {
    const start = log.size;
    const commitments = Array.from({ length: count }, (_, i) =>
      commit(`{"kind":"document","n":${start + i}}`),
    );
    const note = await log.appendBatch(commitments);
    const { checkpoint } = openCheckpoint(note, parseVerifierKey(logKey.verifierKey));
    const reader = new TileHashReader(checkpoint.size, log.tiles);
    const proof = previous ? await consistencyProof(previous.size, checkpoint.size, reader) : [];
    const now = Math.floor(Date.now() / 1000);
    cosigned = note;
    for (const w of witnesses) cosigned = w.addCheckpoint(cosigned, proof, now);
    await writeFile(join(dir, 'checkpoint'), cosigned);
    const witnessed = checkCosignatures(cosigned, parseVerifierKey(logKey.verifierKey), policy, 2);
    say(
      `batch ${batch}: sealed ${count} records; checkpoint size ${checkpoint.size}, cosigned by ${witnessed.cosignatures.map((c) => c.name).join(' and ')}`,
    );
    previous = { size: checkpoint.size, root: checkpoint.root };
  }

  // Prove one record from the files on disk, against the cosigned checkpoint.
  const witnessed = checkCosignatures(
    await readFile(join(dir, 'checkpoint'), 'utf8'),
    parseVerifierKey(logKey.verifierKey),
    policy,
    2,
  );
  const { size, root } = witnessed.checkpoint;
  const rootFromDisk = await rootFromTiles(size, log.tiles);
  say(
    `tiles on disk recompute the checkpoint's root: ${bytesEqual(rootFromDisk, root) ? 'yes' : 'NO'}`,
  );
  const index = Math.min(123, size - 1);
  const bundle = Math.floor(index / 256);
  const width = Math.min(256, size - bundle * 256);
  const entriesPath = formatTilePath({ level: 'entries', index: bundle, width });
  const entries = parseEntryBundle(new Uint8Array(await readFile(join(dir, entriesPath))), width);
  const proof = await inclusionProof(index, size, new TileHashReader(size, log.tiles));
  const recomputed = sha256(
    concat(encoder.encode('tamga/record/v1\n'), salts[index]!, encoder.encode(texts[index]!)),
  );
  verifyInclusion(index, size, leafHash(recomputed), proof, root);
  const earliest = Math.min(...witnessed.cosignatures.map((c) => c.timestamp));
  say(
    `record ${index} ${texts[index]} is in the log (entry matches: ${bytesEqual(entries[index % 256]!, recomputed)}),`,
  );
  say(
    `  proven to exist no later than ${new Date(earliest * 1000).toISOString()} by ${witnessed.cosignatures.map((c) => c.name).join(', ')}`,
  );

  // Tampering: one changed character and the proof no longer leads to the root.
  const forged = texts[index]!.replace('document', 'documenT');
  const forgedCommitment = sha256(
    concat(encoder.encode('tamga/record/v1\n'), salts[index]!, encoder.encode(forged)),
  );
  say(
    `a forged copy of record ${index}: ${refusal(() => verifyInclusion(index, size, leafHash(forgedCommitment), proof, root))}`,
  );

  // A forked history: the log's own key signs a different tree of the same size.
  const forkRoot = sha256(encoder.encode('another history'));
  const fork = signCheckpoint({ origin: ORIGIN, size, root: forkRoot }, logKey);
  say(
    `a forked checkpoint signed with the log's own key: ${refusal(() => witnesses[0]!.addCheckpoint(fork, [], Math.floor(Date.now() / 1000)))}`,
  );
  say(`done: the public log (checkpoint, tile/…) is in ${dir}`);
  return dir;
}

function refusal(f: () => unknown): string {
  try {
    f();
    return 'ACCEPTED (this is a bug)';
  } catch (e) {
    if (e instanceof TamgaError) return `refused — ${e.message}`;
    throw e;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
