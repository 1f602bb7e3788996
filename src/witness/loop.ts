/**
 * Gathering cosignatures beside other work: the sealing pipeline and the server poke a
 * `CosignatureLoop` when there is a new checkpoint, and carry on; the loop asks the witnesses
 * one round at a time, never two at once, and once more if poked meanwhile.
 */
import type { Vault } from '../vault/vault.js';
import { type GatherOptions, gatherCosignatures, type WitnessOutcome } from './client.js';

/** Options of a CosignatureLoop: those of each round, and who hears each round's outcomes. */
export interface CosignatureLoopOptions extends Omit<GatherOptions, 'signal'> {
  readonly onRound?: (outcomes: readonly WitnessOutcome[]) => void;
  /** Hears a round that failed on the vault's side (a database error); the loop goes on. */
  readonly onError?: (error: unknown) => void;
}

export class CosignatureLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private last: readonly WitnessOutcome[] = [];
  private failure: unknown = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly vault: Vault,
    private readonly options: CosignatureLoopOptions = {},
  ) {}

  /** Says there may be a new checkpoint: starts a round, or one more after the current one. */
  poke(): void {
    if (this.abort.signal.aborted) return;
    this.again = true;
    this.running ??= this.run();
  }

  /** The outcomes of the last round finished. */
  get outcomes(): readonly WitnessOutcome[] {
    return this.last;
  }

  /**
   * Asks once more for the latest checkpoint and waits for that round, at most `timeoutMs`;
   * then abandons what is still in flight and stops the loop. Resolves to the last outcomes.
   */
  async settle(timeoutMs: number): Promise<readonly WitnessOutcome[]> {
    this.poke();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await this.stop();
    if (this.failure !== null && this.options.onError === undefined) throw this.failure;
    return this.last;
  }

  /** Abandons the round in flight and waits for it to wind up; no round starts after. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.again && !this.abort.signal.aborted) {
        this.again = false;
        this.last = await gatherCosignatures(this.vault, {
          ...this.options,
          signal: this.abort.signal,
        });
        this.options.onRound?.(this.last);
      }
    } catch (e) {
      this.failure = e;
      this.options.onError?.(e);
    } finally {
      this.running = null;
    }
  }
}
