/**
 * Errors of the vault: what went wrong with a vault directory, a key, a file being sealed.
 * Each says what to do; none carries a secret.
 */
import { TamgaError } from '../log/errors.js';

/** The vault directory is missing, of another version, locked, or not a vault at all. */
export class VaultError extends TamgaError {}

/** A key or passphrase problem: wrong passphrase, missing or corrupt key file. */
export class KeyError extends TamgaError {}

/** The vault's own data disagrees with itself: what `tamga fsck` reports. */
export class IntegrityError extends TamgaError {}
