/**
 * Keys a person verifying a bundle trusts, rather than those the bundle carries: the log's note
 * verifier key and a witness policy file, as `tamga check-evidence --log-key --policy` takes
 * them. Without them a bundle proves only that it is consistent with itself.
 */
import {
  flattenPolicy,
  type LogIdentity,
  parsePolicy,
  type TrustedKeys,
  type WitnessPolicy,
} from '../../src/evidence/index.js';
import { bytesEqual } from '../../src/log/encoding.js';
import { ed25519VerifierKey, parseVerifierKey } from '../../src/log/note.js';

/**
 * Returns the keys to verify with, from a log verifier key and a policy file's text (either may
 * be empty), for a bundle naming `bundleLog`; undefined when both are empty. Throws the log
 * core's FormatError for a key or policy that does not parse.
 */
export function trustedKeys(
  logKey: string,
  policyText: string,
  bundleLog: LogIdentity,
): TrustedKeys | undefined {
  const key = logKey.trim();
  if (key === '' && policyText.trim() === '') return undefined;
  let log: LogIdentity | undefined;
  if (key !== '') log = { origin: parseVerifierKey(key).name, verifierKey: key };
  let witnesses: WitnessPolicy | undefined;
  if (policyText.trim() !== '') {
    const policy = parsePolicy(policyText);
    witnesses = flattenPolicy(policy);
    if (log === undefined && policy.logs.length > 0) {
      // A policy names its logs by public key: the bundle's log key is trusted if it is one of
      // them, else the policy's first key is used under the bundle's origin, and fails.
      let bundlePub: Uint8Array | null = null;
      try {
        bundlePub = parseVerifierKey(bundleLog.verifierKey).publicKey;
      } catch {
        bundlePub = null;
      }
      const match = policy.logs.find(
        (l) => bundlePub !== null && bytesEqual(l.publicKey, bundlePub),
      );
      log =
        match !== undefined
          ? bundleLog
          : {
              origin: bundleLog.origin,
              verifierKey: ed25519VerifierKey(bundleLog.origin, policy.logs[0]!.publicKey),
            };
    }
  }
  return { ...(log ? { log } : {}), ...(witnesses ? { witnesses } : {}) };
}
