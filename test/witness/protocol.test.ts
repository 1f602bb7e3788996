/**
 * add-checkpoint per C2SP tlog-witness, in-process through Fastify's inject: every answer the
 * spec names (200, 400, 403, 404, 409 with its text/x.tlog.size body, 422), the cosignature
 * checked with the log core's checkCosignatures, forks and forged proofs refused and kept as
 * evidence, and the monitoring route.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCosignatures } from '../../src/log/cosignature.js';
import { encodeBase64 } from '../../src/log/encoding.js';
import { generateSignerKey, parseNote, parseSignerKey, signNote } from '../../src/log/note.js';
import { buildWitnessServer, TLOG_SIZE_TYPE } from '../../src/witness/server.js';
import {
  addCheckpointBody,
  createWitness,
  expectCosignature,
  TestLog,
  type TestWitness,
  WITNESS_NAME,
} from './helpers.js';

const ORIGIN = 'union.example/log';
const TEXT = 'text/plain; charset=utf-8';

describe('add-checkpoint', () => {
  let log: TestLog;
  let t: TestWitness;
  beforeEach(async () => {
    log = new TestLog(ORIGIN);
    t = await createWitness([log]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('cosigns a first checkpoint (old 0, no proof), stamped with the clock', async () => {
    const step = log.grow(10);
    const r = await t.post(log.body(0, step));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe(TEXT);
    expect(r.body.startsWith(`— ${WITNESS_NAME} `)).toBe(true);
    expect(expectCosignature(t, log, step.note, r.body)).toBe(t.clock.now);

    const latest = t.witness.latest(ORIGIN);
    expect(latest?.size).toBe(10);
    expect(latest?.timestamp).toBe(t.clock.now);
    const cosigned = t.witness.cosignatures(ORIGIN);
    expect(cosigned).toHaveLength(1);
    expect(cosigned[0]!.cosignature).toBe(r.body);
    expect(cosigned[0]!.checkpoint).toBe(parseNote(step.note).text);
  });

  it('cosigns an extension with a valid consistency proof, and every size after', async () => {
    let old = 0;
    for (const n of [1, 1, 2, 5, 8, 100, 1, 255, 257, 1000]) {
      const step = log.grow(n);
      t.clock.now += 7;
      const r = await t.post(log.body(old, step));
      expect(r.statusCode, r.body).toBe(200);
      expect(expectCosignature(t, log, step.note, r.body)).toBe(t.clock.now);
      expect(t.witness.latest(ORIGIN)?.size).toBe(step.size);
      old = step.size;
    }
    expect(t.witness.cosignatures(ORIGIN).map((c) => c.size)).toEqual(log.steps.map((s) => s.size));
  });

  it('cosigns the latest checkpoint again with a fresh timestamp', async () => {
    const step = log.grow(3);
    expect((await t.post(log.body(0, step))).statusCode).toBe(200);
    t.clock.now += 60;
    const again = await t.post(log.body(step.size, step));
    expect(again.statusCode).toBe(200);
    expect(expectCosignature(t, log, step.note, again.body)).toBe(t.clock.now);
    expect(t.witness.cosignatures(ORIGIN)).toHaveLength(2);
    expect(t.witness.latest(ORIGIN)?.timestamp).toBe(t.clock.now);
  });

  it('never stamps a cosignature earlier than the last one for the log', async () => {
    const a = log.grow(3);
    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
    const first = t.clock.now;
    t.clock.now -= 3600; // the system clock is set back
    const b = log.grow(3);
    const r = await t.post(log.body(a.size, b));
    expect(r.statusCode).toBe(200);
    expect(expectCosignature(t, log, b.note, r.body)).toBe(first);
  });

  it('answers 404 for a log it does not witness', async () => {
    const other = new TestLog('other.example/log');
    const r = await t.post(other.body(0, other.grow(2)));
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toBe(TEXT);
    expect(r.body).toBe('this witness does not witness the log "other.example/log"\n');
  });

  it('answers 403 when no trusted key signed, or a trusted key signed something else', async () => {
    // The origin, signed by another key of the same name.
    const impostor = new TestLog(ORIGIN);
    const forged = await t.post(impostor.body(0, impostor.grow(2)));
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('no valid signature by a key this witness trusts');

    // The log's own signature, on text that was changed after signing.
    const step = log.grow(4);
    const altered = step.note.replace(`\n${step.size}\n`, `\n${step.size + 1}\n`);
    expect((await t.post(addCheckpointBody(0, [], altered))).statusCode).toBe(403);

    // A signature by the trusted key that does not verify, next to signatures by unknown keys.
    const n = parseNote(step.note);
    const bad = n.signatures[0]!.signature.slice();
    bad[10]! ^= 1;
    const other = parseSignerKey(generateSignerKey('someone.example', randomBytes(32)));
    const mixed = signNote(
      { text: n.text, signatures: [{ ...n.signatures[0]!, signature: bad }] },
      [other],
    );
    expect((await t.post(addCheckpointBody(0, [], mixed))).statusCode).toBe(403);
    expect(t.witness.latest(ORIGIN)).toBeNull();
  });

  it('ignores signatures by unknown keys next to a valid one', async () => {
    const step = log.grow(4);
    const other = parseSignerKey(generateSignerKey('someone.example', randomBytes(32)));
    const note = signNote(parseNote(step.note), [other]);
    const r = await t.post(addCheckpointBody(0, [], note));
    expect(r.statusCode).toBe(200);
    // What is kept carries the log's signature; what is served adds the cosignature, as sent.
    expect(t.witness.latest(ORIGIN)!.note).toBe(step.note);
    expect(await t.witness.cosignedCheckpoint(ORIGIN)).toBe(`${step.note}${r.body}`);
  });

  it('answers 400 when the old size is larger than the checkpoint', async () => {
    const step = log.grow(5);
    const r = await t.post(addCheckpointBody(6, [], step.note));
    expect(r.statusCode).toBe(400);
    expect(r.body).toBe("the old size 6 is larger than the checkpoint's size 5\n");
  });

  it('answers 409 with the latest cosigned size as text/x.tlog.size when the old size is not it', async () => {
    const a = log.grow(5);
    // Never cosigned: the latest size is 0.
    const first = await t.post(log.body(3, a));
    expect(first.statusCode).toBe(409);
    expect(first.headers['content-type']).toBe(TLOG_SIZE_TYPE);
    expect(first.body).toBe('0\n');

    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
    const b = log.grow(5);
    for (const old of [0, 3, 4, 6]) {
      const r = await t.post(old <= b.size ? log.body(old, b) : addCheckpointBody(old, [], b.note));
      expect(r.statusCode).toBe(409);
      expect(r.headers['content-type']).toBe(TLOG_SIZE_TYPE);
      expect(r.body).toBe('5\n');
    }
    // A client that learnt the size goes on from there.
    expect((await t.post(log.body(5, b))).statusCode).toBe(200);
  });

  it('answers 422 for a tampered consistency proof, and keeps it as evidence', async () => {
    const a = log.grow(7);
    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
    const b = log.grow(20);
    const proof = log.proof(a.size, b.size);
    for (let i = 0; i < proof.length; i++) {
      const tampered = proof.map((h) => h.slice());
      tampered[i]![0]! ^= 0x80;
      const r = await t.post(addCheckpointBody(a.size, tampered, b.note));
      expect(r.statusCode).toBe(422);
      expect(r.headers['content-type']).toBe(TEXT);
      expect(r.body).toContain('the consistency proof from size 7 to 27 does not verify');
    }
    // Too short, and too long.
    expect((await t.post(addCheckpointBody(a.size, proof.slice(1), b.note))).statusCode).toBe(422);
    expect(
      (await t.post(addCheckpointBody(a.size, [...proof, proof[0]!], b.note))).statusCode,
    ).toBe(422);
    expect(t.witness.latest(ORIGIN)?.size).toBe(7);
    const evidence = t.witness.evidence(ORIGIN);
    expect(evidence).toHaveLength(proof.length + 2);
    expect(evidence.every((e) => e.kind === 'inconsistent' && e.note === b.note)).toBe(true);
    expect(evidence[0]!.latestNote).toBe(await t.witness.cosignedCheckpoint(ORIGIN));
    // The same request again is kept once.
    const tampered = proof.map((h) => h.slice());
    tampered[0]![0]! ^= 0x80;
    expect((await t.post(addCheckpointBody(a.size, tampered, b.note))).statusCode).toBe(422);
    expect(t.witness.evidence(ORIGIN)).toHaveLength(proof.length + 2);
  });

  it('refuses a fork of the same size with 409, not a size, and keeps both checkpoints', async () => {
    const a = log.grow(8);
    const r0 = await t.post(log.body(0, a));
    expect(r0.statusCode).toBe(200);
    // The same key signs another tree of the same size.
    const fork = new TestLog(ORIGIN, log.signerKey);
    const f = fork.grow(8, 'fork');
    expect(encodeBase64(f.root)).not.toBe(encodeBase64(a.root));
    const r = await t.post(addCheckpointBody(8, [], f.note));
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toBe(TEXT);
    expect(r.body).toBe('conflict: the log signed two different roots for size 8: it has forked\n');
    expect(t.witness.latest(ORIGIN)?.size).toBe(8);
    expect(encodeBase64(t.witness.latest(ORIGIN)!.root)).toBe(encodeBase64(a.root));
    const [e] = t.witness.evidence(ORIGIN);
    expect(e?.kind).toBe('fork');
    expect(e?.note).toBe(f.note);
    expect(e?.latestNote).toBe(`${a.note}${r0.body}`);
    expect(e?.observed).toBe(t.clock.now);
  });

  it('refuses a fork of a larger size whose proof is forged, with 422 and evidence', async () => {
    const a = log.grow(16);
    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
    // A history that rewrote leaf 3, grown further, with its own (valid-looking) proof.
    const fork = new TestLog(ORIGIN, log.signerKey);
    fork.grow(3);
    fork.grow(13, 'rewritten');
    const f = fork.grow(40, 'rewritten');
    const forged = fork.proof(16, f.size);
    const r = await t.post(addCheckpointBody(16, forged, f.note));
    expect(r.statusCode).toBe(422);
    expect(t.witness.evidence(ORIGIN).map((e) => e.kind)).toEqual(['inconsistent']);
    expect(t.witness.latest(ORIGIN)?.size).toBe(16);
    // The honest extension still goes through.
    const b = log.grow(40);
    expect((await t.post(log.body(16, b))).statusCode).toBe(200);
  });

  it('answers 422 for a proof where none is allowed', async () => {
    const a = log.grow(4);
    const b = log.grow(4);
    const proof = log.proof(4, 8);
    expect((await t.post(addCheckpointBody(0, proof, a.note))).statusCode).toBe(422);
    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
    expect((await t.post(addCheckpointBody(4, proof, a.note))).statusCode).toBe(422);
    expect((await t.post(addCheckpointBody(4, proof, b.note))).statusCode).toBe(200);
    expect(t.witness.evidence(ORIGIN)).toEqual([]);
  });

  it('cosigns an empty log, and then its growth', async () => {
    const empty = log.grow(0);
    const r = await t.post(log.body(0, empty));
    expect(r.statusCode).toBe(200);
    expectCosignature(t, log, empty.note, r.body);
    const a = log.grow(5);
    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
  });

  it('witnesses each log on its own, and trusts every key added for a log', async () => {
    const second = new TestLog('second.example/log');
    t.witness.addLog(second.vkey);
    const rotated = new TestLog(ORIGIN);
    expect(t.witness.addLog(rotated.vkey)).toEqual({
      origin: ORIGIN,
      logAdded: false,
      keyAdded: true,
    });
    expect((await t.post(log.body(0, log.grow(3)))).statusCode).toBe(200);
    expect((await t.post(second.body(0, second.grow(9)))).statusCode).toBe(200);
    // The new key signs a checkpoint that extends the old key's: the key changed, not the tree.
    for (let i = 0; i < 3; i++)
      rotated.tree.appendData(new TextEncoder().encode(`${ORIGIN}//${i}`));
    const next = rotated.grow(2);
    expect((await t.post(addCheckpointBody(3, rotated.proof(3, 5), next.note))).statusCode).toBe(
      200,
    );
    expect(t.witness.latest(ORIGIN)?.size).toBe(5);
    expect(t.witness.latest('second.example/log')?.size).toBe(9);
  });

  it('serves the latest cosigned checkpoint of each log for monitors', async () => {
    const none = await t.app.inject({
      method: 'GET',
      url: `/checkpoints/${encodeURIComponent(ORIGIN)}`,
    });
    expect(none.statusCode).toBe(404);
    const step = log.grow(12);
    const r = await t.post(log.body(0, step));
    for (const url of [`/checkpoints/${encodeURIComponent(ORIGIN)}`, `/checkpoints/${ORIGIN}`]) {
      const got = await t.app.inject({ method: 'GET', url });
      expect(got.statusCode).toBe(200);
      expect(got.headers['content-type']).toBe(TEXT);
      expect(got.headers['cache-control']).toBe('no-cache');
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.body).toBe(`${step.note}${r.body}`);
      const w = checkCosignatures(got.body, log.verifier, [t.verifier], 1);
      expect(w.checkpoint.size).toBe(12);
    }
    const head = await t.app.inject({ method: 'HEAD', url: `/checkpoints/${ORIGIN}` });
    expect(head.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/checkpoints/%E0%A4%A' })).statusCode).toBe(
      400,
    );
    const landing = await t.app.inject({ method: 'GET', url: '/' });
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain(t.witness.verifierKey);
  });

  it('serves every route under a prefix, and nothing outside it', async () => {
    const app = buildWitnessServer(t.witness, { prefix: '/witness/v1' });
    try {
      const step = log.grow(2);
      const post = (url: string) => app.inject({ method: 'POST', url, payload: log.body(0, step) });
      expect((await post('/add-checkpoint')).statusCode).toBe(404);
      const r = await post('/witness/v1/add-checkpoint');
      expect(r.statusCode).toBe(200);
      const got = await app.inject({ method: 'GET', url: `/witness/v1/checkpoints/${ORIGIN}` });
      expect(got.body).toBe(`${step.note}${r.body}`);
      expect((await app.inject({ method: 'GET', url: '/witness/v1/' })).body).toContain(
        'POST /witness/v1/add-checkpoint',
      );
    } finally {
      await app.close();
    }
    expect(() => buildWitnessServer(t.witness, { prefix: 'witness/' })).toThrow(TypeError);
  });
});
