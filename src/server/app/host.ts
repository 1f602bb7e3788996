/**
 * The vault behind the web app, through its three phases: `setup` (no vault yet), `locked` (the
 * vault is open, its keys are not: people can sign in, an admin can unlock it) and `ready` (keys
 * unlocked: sealing, decrypting, activity sealed in batches). It also owns what runs beside the
 * requests: the public log server the C2SP routes are handed to, the background witness
 * cosigning, and the timer that seals the activity log.
 *
 * A vault restored from a mirror and not taken over is a read-only copy (src/vault/restored.ts):
 * it can be unlocked and read, but nothing is sealed (activity is noted, and sealed only after a
 * take-over) and no witness is asked.
 */
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { vaultPrivateStore } from '../../mirror/vault-store.js';
import { pendingActivity } from '../../vault/activity.js';
import { parseX25519Recipient } from '../../vault/age/x25519.js';
import { BatchAppender } from '../../vault/appender.js';
import type { VaultKeys } from '../../vault/keys.js';
import { vaultLayout } from '../../vault/layout.js';
import {
  notTakenOverError,
  type RestoredState,
  restoredState,
  takeOver,
} from '../../vault/restored.js';
import { type UploadLimits, UploadStore } from '../../vault/uploads.js';
import { Vault } from '../../vault/vault.js';
import { startBackgroundCosigning } from '../../witness/background.js';
import { privateRoutes } from '../private-routes.js';
import { buildPublicLogServer } from '../public-log.js';
import { AppError } from './errors.js';

/** What the host needs to know. */
export interface HostOptions {
  readonly dir: string;
  readonly uploadLimits: UploadLimits;
  /** Starts the background witness cosigning (off in most tests). */
  readonly cosigning: boolean;
  readonly cosignIntervalMs?: number;
  /** How often pending activity is sealed; 0 seals it only on `flushActivity`. */
  readonly activityIntervalMs: number;
  readonly batchMillis: number;
  readonly say: (line: string) => void;
  /** Runs before pending activity is sealed: to note what was tallied meanwhile. */
  readonly beforeActivityFlush?: (db: Vault['db']) => void;
}

/** The vault, unlocked, and what seals into it. */
export interface ReadyVault {
  readonly vault: Vault;
  readonly keys: VaultKeys;
  readonly appender: BatchAppender;
  readonly uploads: UploadStore;
}

/** The phase of the app. */
export type Phase = 'setup' | 'locked' | 'ready';

export class VaultHost {
  private vaultOpen: Vault | null = null;
  private unlocked: ReadyVault | null = null;
  private publicLog: FastifyInstance | null = null;
  private cosigning: { poke(): void; stop(): Promise<void> } | null = null;
  private activityTimer: NodeJS.Timeout | null = null;
  private activitySealing: Promise<void> = Promise.resolve();
  /** Whether the timer's last round failed: a failure is told once, until a round succeeds. */
  private activityFailing = false;
  /** Serialises setup, unlock and close. */
  private transition: Promise<unknown> = Promise.resolve();

  constructor(readonly options: HostOptions) {}

  /** Opens the vault when there is one. */
  async start(): Promise<void> {
    if (await stat(vaultLayout(this.options.dir).database).catch(() => null)) {
      await this.attach(await Vault.open(this.options.dir));
    }
  }

  get phase(): Phase {
    return this.vaultOpen === null ? 'setup' : this.unlocked === null ? 'locked' : 'ready';
  }

  /** The open vault, or null before setup. */
  get vault(): Vault | null {
    return this.vaultOpen;
  }

  /** The open vault; throws AppError 409 before setup. */
  requireVault(): Vault {
    if (this.vaultOpen === null) {
      throw new AppError(409, 'setup.required', 'there is no vault yet; set it up first');
    }
    return this.vaultOpen;
  }

  /** Where the open vault was restored from, while it is a copy no one took over; else null. */
  get readOnlyCopy(): RestoredState | null {
    if (this.vaultOpen === null) return null;
    const s = restoredState(this.vaultOpen.db);
    return s !== null && s.takenOver === null ? s : null;
  }

  /**
   * Throws VaultError `vault.restored-not-taken-over` (409) while the open vault is a restored
   * copy no one took over: what seals checks it before any work.
   */
  requireWritable(): void {
    const s = this.readOnlyCopy;
    if (s !== null) throw notTakenOverError(s);
  }

  /**
   * Takes the restored vault over (it seals from now on), then starts asking its witnesses.
   * Throws VaultError `vault.not-restored` for a vault that was not restored.
   */
  async takeOver(now: Date): Promise<RestoredState> {
    const s = takeOver(this.requireVault().db, now);
    await this.restartCosigning();
    return s;
  }

  /** The unlocked vault; throws AppError 423 while locked. */
  requireReady(): ReadyVault {
    this.requireVault();
    if (this.unlocked === null) {
      throw new AppError(
        423,
        'vault.locked',
        'the vault is locked; an administrator must unlock it with the passphrase',
      );
    }
    return this.unlocked;
  }

  /** The server of the public log (C2SP tlog-tiles, mirrors' private routes), when open. */
  get publicLogServer(): FastifyInstance | null {
    return this.publicLog;
  }

  /** Runs `f` alone: no other setup, unlock or close meanwhile. */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.transition.then(f, f);
    this.transition = run.catch(() => undefined);
    return run;
  }

  /** Takes a freshly created vault (setup) and its keys. */
  async adopt(vault: Vault, keys: VaultKeys): Promise<void> {
    await this.attach(vault);
    this.ready(keys);
  }

  /** Unlocks the open vault with `passphrase`; throws KeyError for a wrong one. */
  async unlock(passphrase: string): Promise<void> {
    const vault = this.requireVault();
    if (this.unlocked !== null) return;
    this.ready(await vault.unlock(passphrase));
  }

  /** Restarts the witness cosigning: after witnesses were added or removed. */
  async restartCosigning(): Promise<void> {
    await this.cosigning?.stop();
    this.cosigning = null;
    if (!this.options.cosigning || this.vaultOpen === null) return;
    this.cosigning = await startBackgroundCosigning(
      this.options.dir,
      this.options.say,
      this.options.cosignIntervalMs,
    );
  }

  /** Asks the witnesses to cosign now: after a seal outside the batch appender. */
  pokeCosigning(): void {
    this.cosigning?.poke();
  }

  /**
   * Seals the activity entries not yet sealed; resolves once they are (no-op while locked). In a
   * restored copy not taken over they are only noted, to be sealed once it is taken over.
   */
  flushActivity(): Promise<void> {
    const ready = this.unlocked;
    if (ready === null) return Promise.resolve();
    // A round that failed was reported to its caller; the next one starts afresh.
    this.activitySealing = this.activitySealing
      .catch(() => {})
      .then(async () => {
        this.options.beforeActivityFlush?.(ready.vault.db);
        if (this.readOnlyCopy !== null) return;
        for (;;) {
          const pending = pendingActivity(ready.vault.db);
          if (pending.length === 0) return;
          await Promise.all(
            pending.map(({ entry, markSealed }) =>
              ready.appender.append({ entry, inCommit: markSealed }),
            ),
          );
        }
      });
    return this.activitySealing;
  }

  /** Stops everything and closes the vault. */
  async close(): Promise<void> {
    if (this.activityTimer !== null) clearInterval(this.activityTimer);
    this.activityTimer = null;
    await this.flushActivity().catch((e: unknown) =>
      this.options.say(`activity: could not seal the last entries: ${(e as Error).message}`),
    );
    await this.unlocked?.appender.flush();
    await this.unlocked?.uploads.close();
    await this.cosigning?.stop();
    await this.publicLog?.close();
    this.vaultOpen?.close();
    this.vaultOpen = null;
    this.unlocked = null;
  }

  private async attach(vault: Vault): Promise<void> {
    this.vaultOpen = vault;
    const app = buildPublicLogServer(vault, {
      privateRoutes: privateRoutes(vaultPrivateStore(vault)),
    });
    await app.ready();
    this.publicLog = app;
    await this.restartCosigning();
  }

  private ready(keys: VaultKeys): void {
    const vault = this.requireVault();
    this.unlocked = {
      vault,
      keys,
      appender: new BatchAppender(vault, vault.sequencer(keys), {
        batchMillis: this.options.batchMillis,
      }),
      uploads: new UploadStore(
        vault.layout,
        parseX25519Recipient(vault.info.ageRecipient),
        this.options.uploadLimits,
      ),
    };
    if (this.options.activityIntervalMs > 0) {
      // A failed round (a full disk) leaves what was pending in place; the next tick retries it.
      this.activityTimer = setInterval(() => {
        this.flushActivity().then(
          () => {
            if (!this.activityFailing) return;
            this.activityFailing = false;
            this.options.say('activity: sealing again');
          },
          (e: unknown) => {
            if (this.activityFailing) return;
            this.activityFailing = true;
            this.options.say(
              `activity: could not seal: ${(e as Error).message}; retrying every ${this.options.activityIntervalMs} ms`,
            );
          },
        );
      }, this.options.activityIntervalMs);
      this.activityTimer.unref();
    }
  }
}
