/**
 * Keeping a fork as evidence. Two checkpoints the log signed that cannot both hold — two roots for
 * one size, or a tree that does not extend an earlier one — are written side by side with the
 * consistency proof that shows it, in a folder of their own under the mirror's forks/:
 *
 *   held.checkpoint      the checkpoint the mirror held (signed note, cosignatures included)
 *   offered.checkpoint   the checkpoint it refused
 *   proof                `old <size>` and the proof lines, as a c2sp.org/tlog-witness request
 *                        body (followed by the larger checkpoint), so any witness tool reads it
 *   fork.json            what was found, when, and from where
 *
 * Nothing else of the mirror changes.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { encodeBase64 } from '../log/encoding.js';
import type { ForkEvidence } from './errors.js';
import { writeDurable } from './files.js';

/** Writes the evidence of a fork into a new folder under `forksDir`; returns the folder. */
export async function keepFork(
  forksDir: string,
  evidence: ForkEvidence,
  details: { readonly source: string; readonly message: string; readonly now: Date },
): Promise<string> {
  const stamp = details.now.toISOString().replace(/[:.]/g, '-');
  const dir = join(
    forksDir,
    `${stamp}-size-${evidence.offered.size}-${randomBytes(2).toString('hex')}`,
  );
  const [small, large] =
    evidence.held.size <= evidence.offered.size
      ? [evidence.held, evidence.offered]
      : [evidence.offered, evidence.held];
  const proofLines = evidence.proof.map((h) => `${encodeBase64(h)}\n`).join('');
  await writeDurable(join(dir, 'held.checkpoint'), evidence.held.note);
  await writeDurable(join(dir, 'offered.checkpoint'), evidence.offered.note);
  await writeDurable(join(dir, 'proof'), `old ${small.size}\n${proofLines}\n${large.note}`);
  await writeDurable(
    join(dir, 'fork.json'),
    `${JSON.stringify(
      {
        kind: evidence.kind,
        detected: details.now.toISOString(),
        source: details.source,
        message: details.message,
        heldSize: evidence.held.size,
        offeredSize: evidence.offered.size,
        proof: evidence.proof.map(encodeBase64),
      },
      null,
      2,
    )}\n`,
  );
  return dir;
}
