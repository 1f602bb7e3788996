/**
 * fsck's rollback checks: does anyone hold more of this log than the vault does?
 *
 * Deleting the newest records, their tiles and checkpoints leaves a database that agrees with
 * itself: an older copy of the vault looks the same. What the vault cannot take back is what it
 * showed others. Its latest checkpoint's size is compared with
 *
 *   - the size each listed witness is recorded to have cosigned (table `witnesses`), and the
 *     largest checkpoint whose cosignatures are stored (table `cosignatures`);
 *   - the largest size each mirror pulled (table `mirror_pulls`);
 *   - with `--online`, what each witness says it holds now (src/witness/client.ts,
 *     `askWitnessStanding`): the vault's own tables are rewritten by a thorough rollback too,
 *     the witnesses' databases are not.
 */

import type { TrustStatement } from '../evidence/trust.js';
import { parseCosignatureVerifierKey } from '../log/cosignature.js';
import type { FsckRollbackCheck } from './fsck.js';
import { latestCheckpoint } from './log-store.js';
import type { Vault } from './vault.js';
import { listWitnesses, type WitnessEntry, type WitnessStanding } from './witnesses.js';

/** A witness to ask, as `askWitnessStanding` takes it. */
export type WitnessToAsk = Pick<WitnessEntry, 'name' | 'vkey' | 'url'>;

/** Asks a witness, now, where it stands on the vault's latest checkpoint. */
export type AskWitness = (witness: WitnessToAsk) => Promise<WitnessStanding>;

/**
 * Compares the vault's size with what witnesses and mirrors are recorded to hold and, with
 * `askWitness`, with what the witnesses (listed in the vault, or in `statements` with a URL)
 * answer now. Resolves to one check per source; never rejects for what a witness answers.
 */
export async function checkRollback(
  vault: Vault,
  options: { readonly askWitness?: AskWitness; readonly statements?: readonly TrustStatement[] },
): Promise<FsckRollbackCheck[]> {
  const db = vault.db;
  const vaultSize = latestCheckpoint(db)?.size ?? 0;
  const checks: FsckRollbackCheck[] = [];
  const check = (
    source: string,
    status: FsckRollbackCheck['status'],
    message: string,
    evidence: Omit<FsckRollbackCheck['evidence'], 'vaultSize'> = {},
  ) =>
    checks.push({
      kind: 'rollback',
      source,
      status,
      message,
      evidence: { vaultSize, ...evidence },
    });
  const rollback = (who: string, size: number, when: string) =>
    `ROLLBACK: the vault holds ${vaultSize} records but ${who} ${size} (${when}): the newest records were removed, or this is an old copy`;

  // What the vault recorded of its witnesses.
  const listed = listWitnesses(db);
  if (listed.length === 0) {
    check(
      'witnesses',
      'not-checked',
      'not checked: what witnesses cosigned (no witness is listed)',
    );
  }
  const cosignedAt = db.prepare('SELECT timestamp FROM cosignatures WHERE size = ? AND vkey = ?');
  for (const w of listed) {
    const source = `witness ${w.name}`;
    if (w.cosignedSize === null) {
      check(source, 'not-checked', `not checked: witness ${w.name} has not cosigned yet`);
      continue;
    }
    const stored = cosignedAt.get(w.cosignedSize, w.vkey) as { timestamp: number } | undefined;
    const seconds = stored?.timestamp ?? w.cosignedTime;
    const time = seconds === null ? undefined : isoSeconds(seconds);
    const evidence = {
      size: w.cosignedSize,
      from: 'vault-database' as const,
      ...(time ? { time } : {}),
    };
    if (w.cosignedSize > vaultSize) {
      check(
        source,
        'failed',
        rollback(
          `witness ${w.name} cosigned a checkpoint of size`,
          w.cosignedSize,
          time ? `on ${time}` : 'date not recorded',
        ),
        evidence,
      );
    } else {
      check(
        source,
        'ok',
        `checked: witness ${w.name} is recorded to have cosigned size ${w.cosignedSize}, within the vault's ${vaultSize}`,
        evidence,
      );
    }
  }

  // The largest checkpoint whose cosignatures are stored (removed witnesses' included).
  const top = db
    .prepare('SELECT size, vkey, timestamp FROM cosignatures ORDER BY size DESC, timestamp LIMIT 1')
    .get() as { size: number; vkey: string; timestamp: number } | undefined;
  if (top !== undefined) {
    const name = witnessName(top.vkey);
    const time = isoSeconds(top.timestamp);
    const evidence = { size: top.size, time, from: 'vault-database' as const };
    if (top.size > vaultSize) {
      check(
        'cosignatures',
        'failed',
        rollback(`witness ${name} cosigned a checkpoint of size`, top.size, `on ${time}`),
        evidence,
      );
    } else {
      check(
        'cosignatures',
        'ok',
        `checked: the largest cosigned checkpoint stored is of size ${top.size}, within the vault's ${vaultSize}`,
        evidence,
      );
    }
  }

  // Mirrors.
  const pulls = db
    .prepare(
      `SELECT p.token_id AS id, t.label AS label, p.time AS time, p.size AS size
       FROM mirror_pulls p LEFT JOIN mirror_tokens t ON t.id = p.token_id ORDER BY p.token_id`,
    )
    .all() as Array<{ id: number; label: string | null; time: string; size: number }>;
  if (pulls.length === 0) {
    check('mirrors', 'not-checked', 'not checked: what mirrors hold (no mirror has pulled yet)');
  }
  for (const p of pulls) {
    const mirror = `mirror ${p.label ?? `token ${p.id}`}`;
    const evidence = { size: p.size, time: p.time, from: 'vault-database' as const };
    if (p.size > vaultSize) {
      check(
        mirror,
        'failed',
        rollback(`${mirror} pulled a log of size`, p.size, `on ${p.time}`),
        evidence,
      );
    } else {
      check(
        mirror,
        'ok',
        `checked: ${mirror} last pulled size ${p.size}, within the vault's ${vaultSize}`,
        evidence,
      );
    }
  }

  // What the witnesses hold now: the vault's listed ones, and those a statement names with a URL.
  const toAsk = new Map<string, WitnessToAsk>(listed.map((w) => [w.vkey, w]));
  for (const s of options.statements ?? []) {
    for (const vkey of s.witnesses.verifierKeys) {
      const url = s.urls?.witnesses?.get(vkey);
      if (toAsk.has(vkey) || url === undefined) continue;
      toAsk.set(vkey, { name: witnessName(vkey), vkey, url: url.replace(/\/+$/, '') });
    }
  }
  if (options.askWitness === undefined) {
    check(
      'witnesses (asked now)',
      'not-checked',
      "not checked: what the witnesses hold now (run with --online); the sizes above are the vault's own records, which whoever rolls it back can rewrite too",
    );
  } else if (toAsk.size === 0) {
    check(
      'witnesses (asked now)',
      'not-checked',
      'not checked: what the witnesses hold now (no witness is listed, nor named with a URL in a trust statement)',
    );
  } else if (vaultSize === 0) {
    check(
      'witnesses (asked now)',
      'not-checked',
      'not checked: what the witnesses hold now (the vault has no checkpoint to ask about)',
    );
  } else {
    const ask = options.askWitness;
    const answers = await Promise.all(
      [...toAsk.values()].map(async (w) => ({ w, standing: await ask(w) })),
    );
    for (const { w, standing } of answers) {
      const source = `witness ${w.name} (asked now)`;
      const now = { from: 'asked-now' as const };
      switch (standing.answer) {
        case 'cosigned':
          check(
            source,
            'ok',
            standing.from === standing.size
              ? `checked: witness ${w.name}, asked now, holds the vault's checkpoint of size ${standing.size}`
              : `checked: witness ${w.name}, asked now, held size ${standing.from} and cosigned the vault's checkpoint of size ${standing.size} as its extension`,
            { ...now, size: standing.from, time: isoSeconds(standing.timestamp) },
          );
          break;
        case 'holds':
          if (standing.size > vaultSize) {
            check(
              source,
              'failed',
              rollback(
                `witness ${w.name} cosigned a checkpoint of size`,
                standing.size,
                'it says so now',
              ),
              { ...now, size: standing.size },
            );
          } else {
            check(
              source,
              'ok',
              `checked: witness ${w.name}, asked now, holds size ${standing.size}, within the vault's ${vaultSize}`,
              { ...now, size: standing.size },
            );
          }
          break;
        case 'refused': {
          const [status, message] = refusal(w.name, vaultSize, standing);
          check(source, status, message, now);
          break;
        }
        case 'unusable':
          check(
            source,
            'not-checked',
            `not checked: what witness ${w.name} holds now: ${standing.detail}`,
            now,
          );
          break;
      }
    }
  }
  return checks;
}

/** What a refusal says about the vault: a fork or a key it does not know is a failure. */
function refusal(
  name: string,
  vaultSize: number,
  r: Extract<WitnessStanding, { answer: 'refused' }>,
): [FsckRollbackCheck['status'], string] {
  const said = `${r.status}${r.detail ? `: ${r.detail}` : ''}`;
  switch (r.status) {
    case 409:
      return [
        'failed',
        `witness ${name}, asked now, holds another checkpoint of size ${vaultSize} than the vault's (${said}): the vault's log was rewritten after the witness cosigned it`,
      ];
    case 422:
      return [
        'failed',
        `witness ${name}, asked now, refused the vault's checkpoint of size ${vaultSize} (${said}): it cosigned a history the vault's does not extend; the vault was rolled back and sealed again, or rewritten`,
      ];
    case 403:
      return [
        'failed',
        `witness ${name}, asked now, does not accept the vault's log key (${said}): the vault was re-signed with another key, or the witness was set up with another`,
      ];
    case 404:
      return ['not-checked', `not checked: witness ${name} does not witness this log (${said})`];
    default:
      return ['not-checked', `not checked: what witness ${name} holds now; it answered ${said}`];
  }
}

/** The witness's name in its verifier key, or the key itself when it does not parse. */
function witnessName(vkey: string): string {
  try {
    return parseCosignatureVerifierKey(vkey).name;
  } catch {
    return vkey;
  }
}

/** Unix seconds as ISO 8601 UTC without milliseconds. */
function isoSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString().replace(/\.000Z$/, 'Z');
}
