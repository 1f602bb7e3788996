/**
 * The union's trust statement (`tamga-trust/v1`, src/evidence/trust.ts) as the pages take it:
 * pasted, chosen as a file, or dropped among the files to check. Which keys it gives is decided
 * by the pure core (`trustedKeysFrom`); this module only finds a statement and describes it.
 *
 * A statement is taken from a dropped file only when that file was handed over on its own, never
 * from inside a folder or a ZIP: those come from whoever sent the bundle, and a bundle must not
 * bring the keys it is checked against.
 */
import {
  MAX_POLICY_CHARS,
  parseTrustStatement,
  TRUST_COMPACT_PREFIX,
  TRUST_FORMAT,
  trustFingerprint,
} from '../../src/evidence/index.js';
import type { PickedFile } from './collect.js';

/** What a person reads to recognise a statement: the log it names, and its fingerprint. */
export interface StatementSummary {
  readonly origin: string;
  readonly fingerprint: string;
}

/** True when `text` begins as a trust statement does, in either of its forms. */
export function looksLikeStatement(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  return head.startsWith(TRUST_FORMAT) || head.startsWith(TRUST_COMPACT_PREFIX);
}

/**
 * Returns the origin and fingerprint of the statement in `text`. Throws as
 * `parseTrustStatement` for text that is not one.
 */
export function summarizeStatement(text: string): StatementSummary {
  const statement = parseTrustStatement(text);
  return { origin: statement.log.origin, fingerprint: trustFingerprint(statement) };
}

/** The files handed over, split into trust statements and the rest. */
export interface SplitFiles {
  /** The text of each statement file, with its path. */
  readonly statements: ReadonlyArray<{ readonly path: string; readonly text: string }>;
  readonly rest: PickedFile[];
}

/**
 * Resolves to the files handed over, with each loose file (not inside a folder) that is small
 * enough and whose text starts like a statement taken out as a statement. Whether it parses is
 * left to the caller, so that a damaged statement is reported rather than checked as a file.
 */
export async function splitStatementFiles(picked: readonly PickedFile[]): Promise<SplitFiles> {
  const statements: Array<{ path: string; text: string }> = [];
  const rest: PickedFile[] = [];
  for (const p of picked) {
    // UTF-8 takes at most four bytes a character.
    if (!p.path.includes('/') && p.file.size <= 4 * MAX_POLICY_CHARS) {
      const head = await p.file
        .slice(0, 64)
        .text()
        .catch(() => '');
      if (looksLikeStatement(head)) {
        statements.push({ path: p.path, text: await p.file.text() });
        continue;
      }
    }
    rest.push(p);
  }
  return { statements, rest };
}
