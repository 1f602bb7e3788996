/**
 * fsck's key checks: is the log key the database names the key the vault was made with?
 *
 * Whoever holds the vault directory can rewrite the database whole: records, tiles and
 * checkpoints re-signed with a key of their own, and meta `logVerifierKey` with them. Such a
 * database agrees with itself, so the checks in fsck.ts pass. What the rewriter cannot make
 * agree without the passphrase is the key file; what they cannot rewrite at all is a statement
 * published elsewhere. So the database's origin and key are compared with each of these that is
 * at hand, and every checkpoint is opened under a trusted key that differs from the database's:
 *
 *   keys.age       the signing key in the key file (needs the passphrase)
 *   trust.txt      the vault's own statement beside vault.db (src/vault/trust-file.ts); a
 *                  rewriter who found it rewrites it too, so it catches the careless one only
 *   --trust FILE   the statement the union published
 *   pinned         the statement the person running fsck pinned for this origin
 */
import { type TrustStatement, trustFingerprint } from '../evidence/trust.js';
import { openCheckpoint } from '../log/checkpoint.js';
import { TamgaError } from '../log/errors.js';
import {
  type Ed25519Verifier,
  ed25519VerifierKey,
  parseSignerKey,
  parseVerifierKey,
} from '../log/note.js';
import { x25519Recipient } from './age/index.js';
import type { FsckKeyCheck } from './fsck.js';
import type { VaultKeys } from './keys.js';
import { readTrustFile, vaultStatement } from './trust-file.js';
import type { Vault } from './vault.js';

/** A trust statement given to fsck, and where it came from (`--trust FILE`, `pinned`). */
export interface TrustSource {
  /** Short, for the report: `--trust published.txt`, `pinned`. */
  readonly source: string;
  readonly statement: TrustStatement;
}

/** What the key checks found: one check per source, notes, and the statements read. */
export interface KeyChecks {
  readonly checks: FsckKeyCheck[];
  readonly warnings: string[];
  /** The statements that were read (trust.txt first), for the witnesses they name. */
  readonly statements: TrustStatement[];
}

/**
 * Compares the database's log origin and key with the key file (when `keys` is given),
 * trust.txt, and each statement given; `checkpoints` are the stored notes, by size. Resolves to
 * the checks; never rejects for what a source holds, which is a finding.
 */
export async function checkLogKey(
  vault: Vault,
  options: {
    readonly keys?: VaultKeys;
    readonly statements?: readonly TrustSource[];
    readonly checkpoints: ReadonlyMap<number, string>;
  },
): Promise<KeyChecks> {
  const database = {
    origin: vault.info.origin,
    key: canonicalKey(vault.info.logVerifierKey) ?? vault.info.logVerifierKey,
  };
  const base = { databaseOrigin: database.origin, databaseKey: database.key };
  const verifiedUnder = checkpointCounter(options.checkpoints);
  const checks: FsckKeyCheck[] = [];
  const warnings: string[] = [];
  const statements: TrustStatement[] = [];

  // The key file.
  if (options.keys === undefined) {
    checks.push({
      kind: 'log-key',
      source: 'keys.age',
      status: 'not-checked',
      message:
        'not checked: the key file keys.age (no passphrase; run fsck without --no-blobs to check it)',
      evidence: base,
    });
  } else {
    checks.push(keyFileCheck(vault, database, options.keys, verifiedUnder));
  }

  // The vault's own statement.
  let own: TrustStatement | null = null;
  let unreadable: string | null = null;
  try {
    own = await readTrustFile(vault.layout);
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    unreadable = e.message;
  }
  if (unreadable !== null) {
    checks.push({
      kind: 'log-key',
      source: 'trust.txt',
      status: 'failed',
      message: `${vault.layout.trustFile} is not a trust statement (${unreadable}): it was damaged or replaced; compare the vault with the statement you published (fsck --trust FILE)`,
      evidence: base,
    });
  } else if (own === null) {
    checks.push({
      kind: 'log-key',
      source: 'trust.txt',
      status: 'not-checked',
      // Not a warning: a vault restored from a mirror has none either, and nothing is wrong.
      message:
        'not checked: trust.txt (this vault has none: it was made before trust statements, or restored from a mirror; `tamga trust` writes one from the database, whose fingerprint you compare with the one you published)',
      evidence: base,
    });
  } else {
    statements.push(own);
    checks.push(
      compare(
        database,
        'trust.txt',
        'the trust statement (trust.txt beside vault.db)',
        own,
        verifiedUnder,
      ),
    );
    const stated = own.witnesses;
    const held = vaultStatement(vault).witnesses;
    if (fingerprintOf(own) !== fingerprintOf({ log: own.log, witnesses: held })) {
      warnings.push(
        `trust.txt states another witness policy (${witnesses(stated.verifierKeys.length)}, quorum ${stated.quorum}) than the database (${witnesses(held.verifierKeys.length)}, quorum ${held.quorum}): if the change was yours, \`tamga trust\` brings it up to date; if not, witnesses were removed behind your back`,
      );
    }
  }

  // Statements published or pinned.
  const given = options.statements ?? [];
  for (const s of given) {
    statements.push(s.statement);
    checks.push(
      compare(database, s.source, `the trust statement (${s.source})`, s.statement, verifiedUnder),
    );
  }
  if (given.length === 0) {
    checks.push({
      kind: 'log-key',
      source: 'published',
      status: 'not-checked',
      message:
        'not checked against a published statement (give --trust FILE or pin one with tamga trust add)',
      evidence: base,
    });
  }
  return { checks, warnings, statements };
}

type Identity = { readonly origin: string; readonly key: string };

function keyFileCheck(
  vault: Vault,
  database: Identity,
  keys: VaultKeys,
  verifiedUnder: (key: string) => { verified: number; total: number },
): FsckKeyCheck {
  const base = { databaseOrigin: database.origin, databaseKey: database.key };
  let key: string;
  try {
    key = parseSignerKey(keys.logSignerKey).verifierKey;
  } catch (e) {
    return {
      kind: 'log-key',
      source: 'keys.age',
      status: 'failed',
      message: `the key file keys.age holds a signing key that does not parse (${(e as Error).message}): it was damaged or replaced`,
      evidence: base,
    };
  }
  const check = compare(
    database,
    'keys.age',
    'the key file keys.age',
    { log: { origin: keys.origin, verifierKey: key } },
    verifiedUnder,
  );
  if (check.status !== 'ok') return check;
  let recipient: string | null = null;
  try {
    recipient = x25519Recipient(keys.ageIdentity);
  } catch {
    // Reported below as a recipient that differs.
  }
  if (recipient !== vault.info.ageRecipient) {
    return {
      ...check,
      status: 'failed',
      message: `the vault database names the age recipient ${vault.info.ageRecipient}; the key file keys.age holds the identity of ${recipient ?? 'no valid recipient'}: the database or the key file was replaced`,
      evidence: {
        ...check.evidence,
        databaseAgeRecipient: vault.info.ageRecipient,
        ...(recipient !== null ? { ageRecipient: recipient } : {}),
      },
    };
  }
  return check;
}

/** One source's origin and key against the database's. */
function compare(
  database: Identity,
  source: string,
  described: string,
  claimed: Pick<TrustStatement, 'log'>,
  verifiedUnder: (key: string) => { verified: number; total: number },
): FsckKeyCheck {
  const origin = claimed.log.origin;
  const key = canonicalKey(claimed.log.verifierKey) ?? claimed.log.verifierKey;
  const evidence = {
    databaseOrigin: database.origin,
    databaseKey: database.key,
    origin,
    key,
  };
  if (key !== database.key) {
    const { verified, total } = verifiedUnder(key);
    return {
      kind: 'log-key',
      source,
      status: 'failed',
      message: `the vault database names log key ${database.key}; ${described} names ${key}: the vault was re-signed or replaced (${verified} of the database's ${total} checkpoints verify under ${key})`,
      evidence: { ...evidence, checkpointsVerified: verified, checkpoints: total },
    };
  }
  if (origin !== database.origin) {
    return {
      kind: 'log-key',
      source,
      status: 'failed',
      message: `the vault database names origin ${database.origin}; ${described} names ${origin}: the vault was re-signed or replaced`,
      evidence,
    };
  }
  return {
    kind: 'log-key',
    source,
    status: 'ok',
    message: `checked: ${described} names the database's log key ${key}`,
    evidence,
  };
}

/**
 * Returns a function that counts the stored checkpoints whose note carries a valid signature by
 * `key`, once per key: a trusted key other than the database's must be tried, not assumed.
 */
function checkpointCounter(
  checkpoints: ReadonlyMap<number, string>,
): (key: string) => { verified: number; total: number } {
  const counted = new Map<string, number>();
  return (key) => {
    let verified = counted.get(key);
    if (verified === undefined) {
      verified = 0;
      let verifier: Ed25519Verifier | null = null;
      try {
        verifier = parseVerifierKey(key);
      } catch {
        // A key that does not parse verifies nothing.
      }
      if (verifier !== null) {
        for (const note of checkpoints.values()) {
          try {
            openCheckpoint(note, verifier);
            verified++;
          } catch (e) {
            if (!(e instanceof TamgaError)) throw e;
          }
        }
      }
      counted.set(key, verified);
    }
    return { verified, total: checkpoints.size };
  };
}

/** The verifier key in its one spelling, or null when it is not an Ed25519 verifier key. */
function canonicalKey(key: string): string | null {
  try {
    const v = parseVerifierKey(key);
    return ed25519VerifierKey(v.name, v.publicKey);
  } catch {
    return null;
  }
}

const witnesses = (n: number) => `${n} witness${n === 1 ? '' : 'es'}`;

function fingerprintOf(statement: Pick<TrustStatement, 'log' | 'witnesses'>): string | null {
  try {
    return trustFingerprint(statement);
  } catch {
    return null;
  }
}
