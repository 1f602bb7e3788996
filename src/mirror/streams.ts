/** Small stream pieces shared by pulls and restores. */
import { Transform } from 'node:stream';
import { MirrorError } from './errors.js';

/**
 * Returns a pass-through that fails unless exactly `size` bytes go through it: a server that
 * sends more is cut off at once, one that sends less is caught at the end.
 */
export function limitStream(size: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > size) {
        done(
          new MirrorError(
            'mirror.size',
            `${what} is longer than the ${size} bytes it was listed with`,
          ),
        );
        return;
      }
      done(null, chunk);
    },
    flush(done) {
      done(
        seen === size
          ? null
          : new MirrorError(
              'mirror.size',
              `${what} ended after ${seen} of the ${size} bytes it was listed with`,
            ),
      );
    },
  });
}

/**
 * Yields `[item, fn(item)]` for each item in order, with up to `window` calls of `fn` running
 * ahead: a slow server's latency is paid once a window, not once an item.
 */
export async function* prefetch<T, R>(
  items: readonly T[],
  window: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<[T, R]> {
  const pending: Array<Promise<R>> = [];
  let next = 0;
  for (let i = 0; i < items.length; i++) {
    while (next < items.length && next < i + window) {
      const p = fn(items[next++]!);
      p.catch(() => {}); // awaited in order below; an early failure must not go unhandled
      pending.push(p);
    }
    yield [items[i]!, await pending.shift()!];
  }
}
