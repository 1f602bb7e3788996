/**
 * Counting failed attempts (sign-in, unlock) per key — a user name, a client address — over a
 * sliding window, in memory. A key with too many recent failures is refused until the oldest
 * falls out of the window. Memory is bounded: past `maxKeys`, the stalest keys are forgotten.
 */

/** How many failures a key may have within `windowMs`. */
export interface AttemptLimit {
  readonly max: number;
  readonly windowMs: number;
}

export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: AttemptLimit,
    private readonly maxKeys = 100_000,
  ) {}

  /** Returns 0 when `key` may try now, else the seconds to wait. */
  retryAfter(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    if (times.length < this.limit.max) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.limit.windowMs - now) / 1000));
  }

  /** Counts a failure of `key`. */
  fail(key: string, now = Date.now()): void {
    const times = this.recent(key, now);
    times.push(now);
    // Re-insert so the Map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.limit.max));
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  /** Forgets `key`'s failures (after a success). */
  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => now - t < this.limit.windowMs);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
