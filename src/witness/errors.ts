/**
 * Errors of the witness. `WitnessRefusal` is the one class that maps to an HTTP status: every
 * add-checkpoint request the witness does not cosign ends in one, with the status C2SP
 * tlog-witness prescribes. `WitnessError` is what stops a witness from being set up or started.
 * Neither ever carries the witness's key.
 */
import { TamgaError } from '../log/errors.js';

/** A witness directory, key file or database that cannot be created, opened or used. */
export class WitnessError extends TamgaError {}

/** The HTTP statuses of a refused add-checkpoint request (c2sp.org/tlog-witness), and 503. */
export type RefusalStatus = 400 | 403 | 404 | 409 | 422 | 503;

/**
 * An add-checkpoint request the witness refuses, and why. `status` is the HTTP status to answer
 * with; `latestSize` is set on the 409 that reports the size the witness last cosigned (the body
 * of a `text/x.tlog.size` response), and left out of the 409 of a fork, which has no size to
 * report: a client that read a size there would retry forever.
 */
export class WitnessRefusal extends TamgaError {
  readonly status: RefusalStatus;
  readonly latestSize: number | undefined;

  constructor(
    status: RefusalStatus,
    code: string,
    message: string,
    options: ErrorOptions & { latestSize?: number } = {},
  ) {
    super(code, message, options);
    this.status = status;
    this.latestSize = options.latestSize;
  }
}
