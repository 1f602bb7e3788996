/**
 * Witness policies in the sigsum policy file format
 * (https://git.glasklar.is/sigsum/core/sigsum-go/-/blob/main/doc/policy.md):
 *
 *   log <hex public key> [<url>]
 *   witness <name> <hex public key> [<url>]
 *   group <name> all|any|<k> <member>...
 *   quorum <name>|none
 *
 * Blank lines and lines starting with `#` are ignored; a name must be defined before it is used;
 * exactly one quorum line. Keys are raw Ed25519 public keys in hex. For tlog-cosignature the
 * witness's name is also its key name in the note (`witness witness.example.org/w1 <hex>`), which
 * is how a sigsum line becomes a C2SP verifier key.
 *
 * Tamga's evidence bundles hold a K-of-N policy (`WitnessPolicy`). `parsePolicy` reads any
 * valid file; `flattenPolicy` turns one whose quorum is a single witness, `none`, or one group
 * of witnesses into a K-of-N policy, and refuses nested groups, which that cannot express.
 */
import { cosignatureVerifierKey, parseCosignatureVerifierKey } from '../log/cosignature.js';
import { FormatError, LimitError } from '../log/errors.js';
import { parseVerifierKey } from '../log/note.js';
import type { WitnessPolicy } from './bundle.js';

/** A parsed policy file. */
export interface SigsumPolicy {
  readonly logs: ReadonlyArray<{ publicKey: Uint8Array; url: string | null }>;
  readonly witnesses: ReadonlyArray<{ name: string; publicKey: Uint8Array; url: string | null }>;
  readonly groups: ReadonlyArray<{ name: string; threshold: number; members: readonly string[] }>;
  /** The name the quorum line gives: a witness, a group, or `none`. */
  readonly quorum: string;
}

/** The longest policy file read, in characters. */
export const MAX_POLICY_CHARS = 256 * 1024;

/**
 * Returns the policy in `text`. Throws FormatError naming the line for anything malformed: an
 * unknown keyword, a key that is not 64 hex digits, an undefined or duplicate name, a threshold
 * out of range, no quorum line or two; LimitError for a file over MAX_POLICY_CHARS.
 */
export function parsePolicy(text: string): SigsumPolicy {
  if (text.length > MAX_POLICY_CHARS) {
    throw new LimitError(
      'policy.too-large',
      `a policy file is at most ${MAX_POLICY_CHARS} characters`,
    );
  }
  const logs: Array<{ publicKey: Uint8Array; url: string | null }> = [];
  const witnesses: Array<{ name: string; publicKey: Uint8Array; url: string | null }> = [];
  const groups: Array<{ name: string; threshold: number; members: string[] }> = [];
  const names = new Set<string>(['none']);
  let quorum: string | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const bad = (why: string) =>
      new FormatError(
        'policy.malformed',
        `policy line ${i + 1} (${JSON.stringify(line.slice(0, 80))}): ${why}`,
      );
    const [keyword, ...args] = line.split(/\s+/);
    const define = (name: string) => {
      if (names.has(name)) throw bad(`the name ${name} is already defined`);
      names.add(name);
    };
    switch (keyword) {
      case 'log':
        if (args.length < 1 || args.length > 2) throw bad('expected: log <hex key> [<url>]');
        logs.push({ publicKey: hexKey(args[0]!, bad), url: args[1] ?? null });
        break;
      case 'witness':
        if (args.length < 2 || args.length > 3)
          throw bad('expected: witness <name> <hex key> [<url>]');
        define(args[0]!);
        witnesses.push({ name: args[0]!, publicKey: hexKey(args[1]!, bad), url: args[2] ?? null });
        break;
      case 'group': {
        if (args.length < 3) throw bad('expected: group <name> all|any|<k> <member>...');
        const [name, k, ...members] = args as [string, string, ...string[]];
        for (const m of members)
          if (!names.has(m) || m === 'none') throw bad(`${m} is not defined above`);
        if (new Set(members).size !== members.length) throw bad('a member is listed twice');
        let threshold: number;
        if (k === 'all') threshold = members.length;
        else if (k === 'any') threshold = 1;
        else if (/^[1-9][0-9]{0,3}$/.test(k) && Number(k) <= members.length) threshold = Number(k);
        else throw bad(`the threshold must be all, any or 1 to ${members.length}, not ${k}`);
        define(name);
        groups.push({ name, threshold, members });
        break;
      }
      case 'quorum':
        if (args.length !== 1) throw bad('expected: quorum <name>');
        if (quorum !== null) throw bad('a policy has exactly one quorum line');
        if (!names.has(args[0]!)) throw bad(`${args[0]} is not defined above`);
        quorum = args[0]!;
        break;
      default:
        throw bad(`unknown keyword ${keyword}; expected log, witness, group or quorum`);
    }
  });
  if (quorum === null) {
    throw new FormatError(
      'policy.no-quorum',
      'the policy has no quorum line (use "quorum none" to need no witness)',
    );
  }
  return { logs, witnesses, groups, quorum };
}

/**
 * Returns the K-of-N witness policy that `policy` states. Throws FormatError for a quorum that
 * a K-of-N policy cannot state (groups of groups).
 */
export function flattenPolicy(policy: SigsumPolicy): WitnessPolicy {
  const key = (w: { name: string; publicKey: Uint8Array }) =>
    cosignatureVerifierKey(w.name, w.publicKey);
  if (policy.quorum === 'none') return { quorum: 0, verifierKeys: policy.witnesses.map(key) };
  const witness = policy.witnesses.find((w) => w.name === policy.quorum);
  if (witness !== undefined) return { quorum: 1, verifierKeys: [key(witness)] };
  const group = policy.groups.find((g) => g.name === policy.quorum)!;
  const members = group.members.map((m) => policy.witnesses.find((w) => w.name === m));
  if (members.some((m) => m === undefined)) {
    throw new FormatError(
      'policy.nested-groups',
      `the quorum group ${group.name} has groups as members; Tamga checks one group of witnesses (K of N)`,
    );
  }
  return { quorum: group.threshold, verifierKeys: members.map((m) => key(m!)) };
}

/** The name of the quorum group `formatPolicy` writes. */
export const QUORUM_GROUP = 'tamga-quorum';

/**
 * Returns the sigsum policy file for a log and its K-of-N witness policy, with URLs where known.
 * Throws as the key parsers for keys that are not Ed25519 log or cosignature verifier keys.
 */
export function formatPolicy(
  log: { verifierKey: string; url?: string },
  policy: WitnessPolicy,
  urls: ReadonlyMap<string, string> = new Map(),
): string {
  const logKey = parseVerifierKey(log.verifierKey);
  const lines = [
    `# Witness policy of the log ${logKey.name} (sigsum policy format)`,
    `log ${hex(logKey.publicKey)}${log.url ? ` ${log.url}` : ''}`,
  ];
  const names: string[] = [];
  for (const vkey of policy.verifierKeys) {
    const w = parseCosignatureVerifierKey(vkey);
    const url = urls.get(vkey);
    lines.push(`witness ${w.name} ${hex(w.publicKey)}${url ? ` ${url}` : ''}`);
    names.push(w.name);
  }
  if (policy.quorum === 0) {
    lines.push('quorum none');
  } else {
    lines.push(
      `group ${QUORUM_GROUP} ${policy.quorum} ${names.join(' ')}`,
      `quorum ${QUORUM_GROUP}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function hexKey(s: string, bad: (why: string) => Error): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw bad('a key is 64 hex digits (a raw Ed25519 public key)');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
