/**
 * Checks a log's signatures on a checkpoint with the Ed25519 verifications done by a
 * `CryptoPool`, off the main thread, while keeping the rules of the log core's `openNote` (Go's
 * `note.Open`): the signatures that `openNote` will consult are verified ahead, concurrently,
 * and `openNote` then runs with verifiers that answer from those results. A signature it asks
 * about that was not verified ahead (which the selection below should make impossible) is
 * verified on the spot by the log core.
 */
import { bytesEqual, encodeUtf8 } from '../log/encoding.js';
import {
  type Ed25519Verifier,
  type Note,
  type NoteSignature,
  type OpenedNote,
  openNote,
  type Verifier,
} from '../log/note.js';
import type { CryptoPool } from './crypto-pool.js';

/**
 * Returns the note `msg` (whose parse is `note`) opened with the log's trusted `keys`, as
 * `openNote` would: throws VerificationError when a trusted key's signature fails, or none
 * verifies. Signatures by other keys are left unverified.
 */
export async function openLogNote(
  msg: string,
  note: Note,
  keys: readonly Ed25519Verifier[],
  pool: CryptoPool,
): Promise<OpenedNote> {
  const message = encodeUtf8(note.text);
  // As openNote: only the first signature by each known key counts.
  const ahead: Array<{ key: Ed25519Verifier; sig: NoteSignature; ok: Promise<boolean> }> = [];
  for (const sig of note.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (key === undefined || ahead.some((a) => a.key === key)) continue;
    ahead.push({ key, sig, ok: pool.verify(key.publicKey, message, sig.signature) });
  }
  const results = await Promise.all(ahead.map((a) => a.ok));
  const verifiers: Verifier[] = keys.map((key) => ({
    name: key.name,
    keyId: key.keyId,
    verify(m: Uint8Array, signature: Uint8Array): boolean {
      const i = ahead.findIndex((a) => a.key === key && bytesEqual(a.sig.signature, signature));
      return i >= 0 && bytesEqual(m, message) ? results[i]! : key.verify(m, signature);
    },
  }));
  return openNote(msg, verifiers);
}
