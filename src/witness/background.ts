/**
 * Cosigning in the background of a long-running process (`tamga serve`): every few seconds, ask
 * the witnesses for whatever checkpoint they have not cosigned yet, honouring each one's backoff,
 * and say what changed — a new cosignature, a witness lost or back, an alarm — one line each.
 */
import { printable } from '../records/printable.js';
import { isReadOnlyCopy } from '../vault/restored.js';
import { Vault } from '../vault/vault.js';
import { listWitnesses } from '../vault/witnesses.js';
import type { WitnessOutcome } from './client.js';
import { CosignatureLoop } from './loop.js';

/** How often the background loop looks for a checkpoint to get cosigned. */
export const BACKGROUND_INTERVAL_MS = 5_000;

/**
 * Starts cosigning the vault in `dir` in the background, on its own writable connection, or
 * returns null when the vault lists no witness, or is a restored copy no one has taken over (it
 * asks no witness: src/vault/restored.ts). `poke` asks now (after a seal) rather than at the next
 * interval; `stop` abandons requests in flight and closes the connection. Throws VaultError when
 * there is no vault in `dir`.
 */
export async function startBackgroundCosigning(
  dir: string,
  say: (line: string) => void,
  intervalMs = BACKGROUND_INTERVAL_MS,
): Promise<{ poke(): void; stop(): Promise<void> } | null> {
  const vault = await Vault.open(dir);
  if (listWitnesses(vault.db).length === 0) {
    vault.close();
    return null;
  }
  if (isReadOnlyCopy(vault.db)) {
    vault.close();
    say(
      'witnesses: not asked: this vault is a restored copy, read-only until it is taken over (tamga takeover)',
    );
    return null;
  }
  const last = new Map<string, string>();
  const loop = new CosignatureLoop(vault, {
    onRound: (outcomes) => {
      for (const o of outcomes) {
        const line = describe(o);
        if (line === null) continue;
        // A witness that stays down is reported once, not at every retry.
        const key = o.status === 'failed' ? 'down' : line;
        if (last.get(o.witness) !== key) say(line);
        last.set(o.witness, key);
      }
    },
    onError: (e) => say(printable(`witnesses: a round failed: ${(e as Error).message}`)),
  });
  loop.poke();
  const timer = setInterval(() => loop.poke(), intervalMs);
  timer.unref();
  return {
    poke: () => loop.poke(),
    async stop() {
      clearInterval(timer);
      await loop.stop();
      vault.close();
    },
  };
}

/** The one line that says what happened, or null; a witness's answer cannot start another. */
function describe(o: WitnessOutcome): string | null {
  const line = describeOutcome(o);
  return line === null ? null : printable(line);
}

function describeOutcome(o: WitnessOutcome): string | null {
  switch (o.status) {
    case 'cosigned':
      return `witness ${o.witness} cosigned size ${o.size} at ${new Date(o.timestamp * 1000).toISOString()}`;
    case 'failed':
      return `witness ${o.witness} not reached: ${o.error} (retrying with backoff)`;
    case 'alarm':
      return `!! ALARM ${o.alarm} from witness ${o.witness}: ${o.error}`;
    default:
      return null;
  }
}
