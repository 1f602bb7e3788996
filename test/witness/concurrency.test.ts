/**
 * Concurrent add-checkpoint requests for one log: the check of the old size and the update of
 * the state are one step, so whatever order the requests are decided in, exactly a consistent
 * sequence of them is cosigned and the witness's state never goes back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TLOG_SIZE_TYPE } from '../../src/witness/server.js';
import { createWitness, expectCosignature, TestLog, type TestWitness } from './helpers.js';

const ORIGIN = 'union.example/log';

/** A deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('concurrent add-checkpoint requests for one log', () => {
  let log: TestLog;
  let t: TestWitness;
  beforeEach(async () => {
    log = new TestLog(ORIGIN);
    t = await createWitness([log]);
  });
  afterEach(async () => {
    await t.close();
  });

  // Order 0 sends the requests in the chain's order; the others shuffle them.
  for (const seed of [0, 1, 2, 3]) {
    it(`cosigns exactly a consistent sequence of 50 requests sent at once (order ${seed})`, async () => {
      const steps = Array.from({ length: 50 }, (_, i) => log.grow(1 + ((i * 7) % 13)));
      const sizes = steps.map((s) => s.size);
      // Request i moves the witness from step i-1 (0 for the first) to step i.
      const requests = steps.map((step, i) => ({
        i,
        body: log.body(i === 0 ? 0 : sizes[i - 1]!, step),
      }));
      const seen: number[] = [];
      const answers = await Promise.all(
        (seed === 0 ? requests : shuffle(requests, seed)).map(async ({ i, body }) => {
          const r = await t.post(body);
          seen.push(t.witness.latest(ORIGIN)?.size ?? 0);
          return { i, r };
        }),
      );
      const ok = answers
        .filter((a) => a.r.statusCode === 200)
        .map((a) => a.i)
        .sort((x, y) => x - y);
      // Request i can succeed only after i-1 did: the successes are requests 0..k-1.
      expect(ok.length).toBeGreaterThan(0);
      expect(ok).toEqual(Array.from({ length: ok.length }, (_, i) => i));
      for (const { i, r } of answers) {
        if (r.statusCode === 200) {
          expectCosignature(t, log, steps[i]!.note, r.body);
          continue;
        }
        expect(r.statusCode).toBe(409);
        expect(r.headers['content-type']).toBe(TLOG_SIZE_TYPE);
        const reported = Number(r.body.trimEnd());
        expect(r.body).toBe(`${reported}\n`);
        expect([0, ...sizes.slice(0, ok.length)]).toContain(reported);
        expect(reported).not.toBe(i === 0 ? 0 : sizes[i - 1]);
      }
      // The state, read after each answer, never went back; the cosignatures are the chain.
      for (let k = 1; k < seen.length; k++) expect(seen[k]!).toBeGreaterThanOrEqual(seen[k - 1]!);
      expect(t.witness.latest(ORIGIN)?.size).toBe(sizes[ok.length - 1]);
      expect(t.witness.cosignatures(ORIGIN).map((c) => c.size)).toEqual(sizes.slice(0, ok.length));

      // A client that follows the 409s brings the witness to the end of the chain.
      let latest = sizes[ok.length - 1]!;
      for (const step of steps.slice(ok.length)) {
        const r = await t.post(log.body(latest, step));
        expect(r.statusCode).toBe(200);
        latest = step.size;
      }
      expect(t.witness.latest(ORIGIN)?.size).toBe(sizes.at(-1));
    });
  }

  it('cosigns one of 50 identical first requests, and refuses the rollback of the rest', async () => {
    const step = log.grow(9);
    const answers = await Promise.all(Array.from({ length: 50 }, () => t.post(log.body(0, step))));
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(1);
    const refused = answers.filter((r) => r.statusCode !== 200);
    expect(refused.every((r) => r.statusCode === 409 && r.body === '9\n')).toBe(true);
    expect(t.witness.cosignatures(ORIGIN)).toHaveLength(1);
  });

  it('decides requests for many logs side by side', async () => {
    const logs = Array.from({ length: 20 }, (_, i) => new TestLog(`log${i}.example/log`));
    for (const l of logs) t.witness.addLog(l.vkey);
    const chains = logs.map((l) => [l.grow(3), l.grow(5), l.grow(8)]);
    for (const round of [0, 1, 2]) {
      const answers = await Promise.all(
        logs.map((l, i) =>
          t.post(l.body(round === 0 ? 0 : chains[i]![round - 1]!.size, chains[i]![round]!)),
        ),
      );
      expect(answers.map((r) => r.statusCode)).toEqual(logs.map(() => 200));
    }
    expect(logs.map((l) => t.witness.latest(l.origin)?.size)).toEqual(logs.map(() => 16));
  });
});
