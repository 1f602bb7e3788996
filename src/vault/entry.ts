/**
 * A record made ready for the sequencer: its canonical JSON, a fresh 32-byte salt, and the
 * commitment SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)) that becomes its log entry. Every
 * path that seals (files, uploads, `tamga add`, the activity log, the books) builds it here.
 */
import { randomBytes } from 'node:crypto';
import { commitCanonical } from '../records/commitment.js';
import type { TamgaRecord } from '../records/record.js';
import type { SealedEntry } from './sequencer.js';

const utf8 = new TextDecoder();

/** Returns the entry of `record`, whose RFC 8785 form is `canonical`, with a fresh salt. */
export function sealedEntry(
  record: Pick<TamgaRecord, 'id' | 'kind' | 'created'>,
  canonical: Uint8Array,
  files: SealedEntry['files'] = [],
  sealedPath?: SealedEntry['sealedPath'],
): SealedEntry {
  const salt = randomBytes(32);
  return {
    id: record.id,
    kind: record.kind,
    created: record.created,
    json: utf8.decode(canonical),
    salt,
    commitment: commitCanonical(canonical, salt),
    files,
    ...(sealedPath === undefined ? {} : { sealedPath }),
  };
}
