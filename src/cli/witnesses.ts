/**
 * `tamga witnesses …`: the vault's side of witnessing. Which witnesses it asks, the quorum, where
 * each one stands, asking them now, the policy to hand to verifiers, and the alarms.
 */
import { formatPolicy } from '../evidence/policy.js';
import { trustFingerprint } from '../evidence/trust.js';
import { latestCheckpoint } from '../vault/log-store.js';
import { isReadOnlyCopy } from '../vault/restored.js';
import { refreshTrustFile } from '../vault/trust-file.js';
import { Vault } from '../vault/vault.js';
import {
  addWitness,
  isAlarmAttemptError,
  listAlarms,
  listWitnesses,
  quorum,
  removeWitness,
  setQuorum,
  type WitnessEntry,
  witnessedCheckpoint,
  witnessPolicy,
} from '../vault/witnesses.js';
import { gatherCosignatures, type WitnessOutcome } from '../witness/client.js';
import { CosignatureLoop } from '../witness/loop.js';
import {
  type CommandContext,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';

async function withVault<T>(
  ctx: CommandContext,
  opts: VaultOptions,
  f: (v: Vault) => Promise<T> | T,
): Promise<T> {
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    return await f(vault);
  } finally {
    vault.close();
  }
}

/** Rewrites the vault's trust.txt after a change of policy, and says to publish it again. */
async function trustChanged(vault: Vault, ctx: CommandContext): Promise<void> {
  const statement = await refreshTrustFile(vault);
  ctx.err(
    `The witness policy changed, and with it the trust statement (fingerprint ${trustFingerprint(statement)}): publish it again (tamga trust).`,
  );
}

/** `witnesses add NAME VKEY URL`: lists a witness; returns it. */
export function witnessesAddCommand(
  name: string,
  vkey: string,
  url: string,
  opts: VaultOptions,
  ctx: CommandContext,
): Promise<WitnessEntry> {
  return withVault(ctx, opts, async (vault) => {
    const w = addWitness(vault.db, { name, vkey: vkey.trim(), url });
    await trustChanged(vault, ctx);
    const n = listWitnesses(vault.db).length;
    ctx.out(`Added witness ${w.name} at ${w.url}.`);
    ctx.err(
      `The vault lists ${n} witness${n === 1 ? '' : 'es'} and needs ${quorum(vault.db)} cosignature${quorum(vault.db) === 1 ? '' : 's'} per checkpoint; set how many with: tamga witnesses quorum K`,
    );
    ctx.err(
      `The witness's operator must trust this log: tamga witness add-log --dir DIR ${vault.info.logVerifierKey}`,
    );
    return w;
  });
}

/** `witnesses remove NAME`. Throws UsageError when no such witness is listed. */
export function witnessesRemoveCommand(
  name: string,
  opts: VaultOptions,
  ctx: CommandContext,
): Promise<void> {
  return withVault(ctx, opts, async (vault) => {
    if (!removeWitness(vault.db, name)) throw new UsageError(`no witness named ${name} is listed`);
    await trustChanged(vault, ctx);
    ctx.out(
      `Removed witness ${name}; its cosignatures stay in the checkpoints it signed. The quorum is ${quorum(vault.db)}.`,
    );
  });
}

/** `witnesses quorum K`: how many witnesses must cosign a checkpoint. */
export function witnessesQuorumCommand(
  k: number,
  opts: VaultOptions,
  ctx: CommandContext,
): Promise<void> {
  return withVault(ctx, opts, async (vault) => {
    setQuorum(vault.db, k);
    await trustChanged(vault, ctx);
    const n = listWitnesses(vault.db).length;
    ctx.out(
      `A checkpoint now needs cosignatures from ${k} of the ${n} witness${n === 1 ? '' : 'es'}.`,
    );
  });
}

/** The status of the vault's witnessing, for `witnesses` (list) and `--json`. */
export interface WitnessingStatus {
  readonly size: number;
  readonly quorum: number;
  /** Valid cosignatures of listed witnesses on the latest checkpoint. */
  readonly cosigned: number;
  readonly witnesses: WitnessEntry[];
  readonly alarms: number;
}

function status(vault: Vault): WitnessingStatus {
  const latest = latestCheckpoint(vault.db);
  const cosigned =
    latest === null ? 0 : (witnessedCheckpoint(vault.db, latest.size)?.cosignatures.length ?? 0);
  return {
    size: latest?.size ?? 0,
    quorum: quorum(vault.db),
    cosigned,
    witnesses: listWitnesses(vault.db),
    alarms: listAlarms(vault.db, 1_000_000).length,
  };
}

/** One line on a witness: what it cosigned of this vault's log, and its last answer. */
export function describeWitness(w: WitnessEntry): string {
  const cosigned =
    w.witnessed === null
      ? 'has cosigned nothing of this log yet'
      : `cosigned size ${w.witnessed.size} of this log at ${new Date(w.witnessed.timestamp * 1000).toISOString()}`;
  // A size it said it holds (409) that it never cosigned here: perhaps of another history.
  const holds =
    w.cosignedSize !== null && w.cosignedSize !== (w.witnessed?.size ?? null)
      ? `; it says it holds size ${w.cosignedSize}`
      : '';
  let last = '';
  if (w.state === 'refused' && w.refusal !== null) {
    last = `; REFUSED: ${w.refusal.reason} (ALARM ${w.refusal.alarm}, evidence: tamga witnesses alarms)`;
  } else if (w.state === 'failing') {
    last = `; last attempt failed: ${w.lastError}${w.nextAttempt ? ` (next try after ${w.nextAttempt})` : ''}`;
  } else if (w.state === 'not-asked') {
    last = '; not asked yet';
  }
  return printable(`  ${w.name} (${w.url}): ${cosigned}${holds}${last}`);
}

/** `witnesses` / `witnesses list`: each witness and where it stands. Returns the status. */
export function witnessesListCommand(
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<WitnessingStatus> {
  return withVault(ctx, opts, (vault) => {
    const s = status(vault);
    if (opts.json) {
      ctx.out(JSON.stringify(s));
      return s;
    }
    if (s.witnesses.length === 0) {
      ctx.out('No witnesses are listed: the log vouches for itself alone.');
      ctx.out('Add one with: tamga witnesses add NAME VKEY URL');
      return s;
    }
    ctx.out(
      `Quorum: ${s.quorum} of ${s.witnesses.length}. The latest checkpoint (size ${s.size}) has ${s.cosigned} cosignature${s.cosigned === 1 ? '' : 's'}${s.cosigned >= s.quorum ? '' : ' — BELOW THE QUORUM'}.`,
    );
    for (const w of s.witnesses) ctx.out(describeWitness(w));
    if (s.alarms > 0)
      ctx.err(`!! ${s.alarms} ALARM${s.alarms === 1 ? '' : 'S'}: see tamga witnesses alarms`);
    return s;
  });
}

/** Writes one line per witness outcome; returns true when none is an alarm. */
export function reportOutcomes(outcomes: readonly WitnessOutcome[], ctx: CommandContext): boolean {
  let calm = true;
  for (const o of outcomes) {
    switch (o.status) {
      case 'cosigned':
        ctx.err(
          `  ${o.witness}: cosigned size ${o.size} at ${new Date(o.timestamp * 1000).toISOString()}`,
        );
        break;
      case 'up-to-date':
        ctx.err(`  ${o.witness}: had already cosigned size ${o.size}`);
        break;
      case 'deferred':
        ctx.err(
          printable(
            isAlarmAttemptError(o.error)
              ? `  ${o.witness}: REFUSED when last asked (${o.error}); not asked again before ${o.until}`
              : `  ${o.witness}: waiting until ${o.until} before asking again${o.error ? ` (${o.error})` : ''}`,
          ),
        );
        break;
      case 'failed':
        ctx.err(
          printable(`  ${o.witness}: not reached: ${o.error}; will retry after ${o.retryAt}`),
        );
        break;
      case 'alarm':
        calm = false;
        ctx.err(printable(`!! ALARM ${o.alarm} from ${o.witness}: ${o.error}`));
        break;
    }
  }
  return calm;
}

/**
 * `witnesses sync`: asks every witness now (ignoring backoff) to cosign the latest checkpoint.
 * Resolves to true when the checkpoint meets the quorum and no alarm was raised.
 */
export function witnessesSyncCommand(
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<boolean> {
  return withVault(ctx, opts, async (vault) => {
    if (listWitnesses(vault.db).length === 0) {
      ctx.err('No witnesses are listed; add one with: tamga witnesses add NAME VKEY URL');
      return quorum(vault.db) === 0;
    }
    const latest = latestCheckpoint(vault.db);
    if (latest === null) {
      ctx.err('The log is empty: there is no checkpoint to cosign yet.');
      return true;
    }
    const outcomes = await gatherCosignatures(vault, { force: true });
    const s = status(vault);
    if (opts.json) ctx.out(JSON.stringify({ outcomes, status: s }));
    ctx.err(
      `Asked ${outcomes.length} witness${outcomes.length === 1 ? '' : 'es'} to cosign the checkpoint of size ${latest.size}:`,
    );
    const calm = reportOutcomes(outcomes, ctx);
    const met = s.cosigned >= s.quorum;
    ctx.err(
      met
        ? `The checkpoint of size ${s.size} has ${s.cosigned} cosignatures; the quorum is ${s.quorum}.`
        : `The checkpoint of size ${s.size} has ${s.cosigned} cosignatures, BELOW the quorum of ${s.quorum}.`,
    );
    return calm && met;
  });
}

/** `witnesses policy`: prints the vault's witness policy in the sigsum policy format. */
export function witnessesPolicyCommand(
  opts: VaultOptions & { url?: string },
  ctx: CommandContext,
): Promise<string> {
  return withVault(ctx, opts, (vault) => {
    const urls = new Map(listWitnesses(vault.db).map((w) => [w.vkey, w.url] as const));
    const text = formatPolicy(
      { verifierKey: vault.info.logVerifierKey, ...(opts.url ? { url: opts.url } : {}) },
      witnessPolicy(vault.db),
      urls,
    );
    for (const line of text.trimEnd().split('\n')) ctx.out(line);
    return text;
  });
}

/** `witnesses alarms`: the alarms kept, newest first, with their evidence under --json. */
export function witnessesAlarmsCommand(
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<number> {
  return withVault(ctx, opts, (vault) => {
    const alarms = listAlarms(vault.db, 1000);
    if (opts.json) {
      for (const a of alarms) ctx.out(JSON.stringify(a));
      return alarms.length;
    }
    if (alarms.length === 0) ctx.out('No alarms.');
    for (const a of alarms)
      ctx.out(printable(`ALARM ${a.id} at ${a.time} from ${a.source} (${a.kind}): ${a.message}`));
    if (alarms.length > 0)
      ctx.err('The evidence of each (what was sent and what came back) is in --json.');
    return alarms.length;
  });
}

/**
 * Starts asking the vault's witnesses beside a command that appends (seal, add), or returns null
 * when none is listed or the vault is a restored copy not taken over. `poke` after each batch; `finish` gives them up to `waitMs` for the last
 * checkpoint, then reports where each stands. The command never waits on a witness before that.
 */
export function startCosigning(
  vault: Vault,
  ctx: CommandContext,
): {
  poke(): void;
  finish(waitMs: number, quiet: boolean): Promise<readonly WitnessOutcome[]>;
} | null {
  // A restored copy not taken over asks no one (and seals nothing to ask about).
  if (listWitnesses(vault.db).length === 0 || isReadOnlyCopy(vault.db)) return null;
  // Alarms raised in any round are reported at the end, even when the last round was calm.
  const alarms: WitnessOutcome[] = [];
  const loop = new CosignatureLoop(vault, {
    onRound: (outcomes) => alarms.push(...outcomes.filter((o) => o.status === 'alarm')),
  });
  return {
    poke: () => loop.poke(),
    async finish(waitMs, quiet) {
      const outcomes = await loop.settle(waitMs);
      const latest = latestCheckpoint(vault.db);
      const cosigned =
        latest === null
          ? 0
          : (witnessedCheckpoint(vault.db, latest.size)?.cosignatures.length ?? 0);
      const k = quorum(vault.db);
      const earlier = alarms.filter((a) => !outcomes.includes(a));
      if (!quiet || alarms.length > 0) {
        ctx.err(
          `Witnesses: ${cosigned} cosigned the checkpoint of size ${latest?.size ?? 0} (quorum ${k}).`,
        );
        reportOutcomes([...earlier, ...outcomes], ctx);
        if (cosigned < k) {
          ctx.err(
            'The rest will be asked again by `tamga serve`, or now with `tamga witnesses sync`.',
          );
        }
      }
      return outcomes;
    },
  };
}
