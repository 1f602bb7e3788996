/** Errors of the servers: what stops one from starting. None carries a secret. */
import { TamgaError } from '../log/errors.js';

/** A server cannot start: an invalid address, a port in use, a vault it cannot serve. */
export class ServerError extends TamgaError {}
