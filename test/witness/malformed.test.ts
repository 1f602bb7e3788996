/**
 * Requests that are not add-checkpoint requests: each refused with the status the spec or HTTP
 * gives it (400, 413, 405, 404, 414), never cosigned, and never changing the witness's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../src/log/encoding.js';
import { MAX_PROOF_LINES } from '../../src/witness/request.js';
import { MAX_BODY_BYTES, MAX_URL_LENGTH } from '../../src/witness/server.js';
import {
  addCheckpointBody,
  createWitness,
  type Step,
  TestLog,
  type TestWitness,
} from './helpers.js';

const ORIGIN = 'union.example/log';

describe('malformed add-checkpoint requests', () => {
  let log: TestLog;
  let t: TestWitness;
  let a: Step;
  let b: Step;
  beforeAll(async () => {
    log = new TestLog(ORIGIN);
    t = await createWitness([log]);
    a = log.grow(100);
    expect((await t.post(log.body(0, a))).statusCode).toBe(200);
    b = log.grow(1000);
  });
  afterAll(async () => {
    // Nothing refused changed anything, and the honest request still goes through.
    expect(t.witness.latest(ORIGIN)?.size).toBe(100);
    expect(t.witness.evidence(ORIGIN)).toEqual([]);
    expect((await t.post(log.body(100, b))).statusCode).toBe(200);
    await t.close();
  });

  const proofLines = () =>
    log
      .proof(100, 1100)
      .map((h) => `${encodeBase64(h)}\n`)
      .join('');

  const cases: Array<[string, () => string | Uint8Array, string]> = [
    ['an empty body', () => '', 'malformed request'],
    // The note's own empty line is then taken for the end of the proof, and its text for proof lines.
    ['no empty line', () => `old 100\n${proofLines()}${b.note}`, 'is not valid base64'],
    ['only the old line', () => 'old 100\n', 'an empty line'],
    ['no old line', () => `${proofLines()}\n${b.note}`, 'the first line must be "old <size>"'],
    ['"Old"', () => `Old 100\n${proofLines()}\n${b.note}`, 'the first line'],
    ['two spaces', () => `old  100\n${proofLines()}\n${b.note}`, 'old size'],
    ['a leading zero', () => `old 0100\n${proofLines()}\n${b.note}`, 'without leading zeros'],
    ['a sign', () => `old +100\n${proofLines()}\n${b.note}`, 'old size'],
    ['a negative size', () => `old -1\n\n${b.note}`, 'old size'],
    ['a trailing space', () => `old 100 \n${proofLines()}\n${b.note}`, 'old size'],
    ['a size above 2^53-1', () => `old 9007199254740992\n\n${b.note}`, 'larger than 2^53-1'],
    [
      'CRLF lines',
      () => `old 100\r\n${proofLines().replaceAll('\n', '\r\n')}\r\n${b.note}`,
      'old size',
    ],
    [
      'a proof line that is not base64',
      () => `old 100\n${proofLines().replace(/^.{4}/, '!!!!')}\n${b.note}`,
      'is not valid base64',
    ],
    [
      'a proof line without padding',
      () => `old 100\n${proofLines().replace('=\n', '\n')}\n${b.note}`,
      'is not valid base64',
    ],
    [
      'a proof hash of 31 bytes',
      () => `old 100\n${encodeBase64(new Uint8Array(31))}\n${proofLines()}\n${b.note}`,
      'holds 31 bytes; a SHA-256 hash has 32',
    ],
    [
      'a proof hash of 33 bytes',
      () => `old 100\n${encodeBase64(new Uint8Array(33))}\n\n${b.note}`,
      'holds 33 bytes',
    ],
    [
      `${MAX_PROOF_LINES + 1} proof lines`,
      () =>
        addCheckpointBody(
          100,
          Array.from({ length: MAX_PROOF_LINES + 1 }, () => a.root),
          b.note,
        ),
      `${MAX_PROOF_LINES + 1} consistency proof lines; at most ${MAX_PROOF_LINES}`,
    ],
    [
      'a checkpoint without signatures',
      () => `old 100\n\n${b.note.split('\n\n')[0]}\n`,
      'malformed request',
    ],
    [
      'a note whose text is not a checkpoint',
      () => `old 100\n\n${ORIGIN}\nnot a size\n${b.note.slice(b.note.indexOf('\n\n'))}`,
      'malformed request',
    ],
    ['garbage', () => 'old 100\n\n\u0000\u0001garbage\n\n— x y\n', 'malformed request'],
    [
      'a checkpoint with a short root',
      () => `old 100\n\n${ORIGIN}\n1100\nAAAA\n\n— ${ORIGIN} AAAA\n`,
      'malformed request',
    ],
    [
      'invalid UTF-8',
      () => new Uint8Array([...Buffer.from('old 100\n\n'), 0xff, 0xfe, 0x0a]),
      'not valid UTF-8',
    ],
    [
      'invalid UTF-8 inside the note',
      () => {
        const bytes = Buffer.from(addCheckpointBody(0, [], b.note));
        bytes[bytes.indexOf(0x0a, 8) - 1] = 0xc3; // in the origin line
        return new Uint8Array(bytes);
      },
      'not valid UTF-8',
    ],
  ];

  for (const [what, body, message] of cases) {
    it(`answers 400 for ${what}`, async () => {
      const r = await t.post(body());
      expect(r.statusCode, r.body).toBe(400);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toContain(message);
      expect(r.body.endsWith('\n')).toBe(true);
    });
  }

  it('accepts a body of any content type, or none', async () => {
    for (const headers of [
      {},
      { 'content-type': 'application/octet-stream' },
      { 'content-type': 'text/x.whatever' },
    ]) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/add-checkpoint',
        headers,
        payload: log.body(0, a),
      });
      expect(r.statusCode, r.body).toBe(409);
      expect(r.body).toBe('100\n');
    }
  });

  it('answers 413 for a body over 64 KiB, and reads one just under', async () => {
    const note = b.note;
    const pad = (n: number) =>
      `old 100\n${proofLines()}\n${note.replace('\n\n', `\n${'x'.repeat(n)}\n\n`)}`;
    const base = Buffer.byteLength(pad(0));
    const fits = await t.post(pad(MAX_BODY_BYTES - base));
    expect(Buffer.byteLength(pad(MAX_BODY_BYTES - base))).toBe(MAX_BODY_BYTES);
    expect(fits.statusCode).toBe(403); // parsed, and the extension line broke the signature
    const over = await t.post(pad(MAX_BODY_BYTES - base + 1));
    expect(over.statusCode).toBe(413);
    expect(over.body).toBe(
      `request body too large: an add-checkpoint body has at most ${MAX_BODY_BYTES} bytes\n`,
    );
    const huge = await t.post('x'.repeat(10 * MAX_BODY_BYTES));
    expect(huge.statusCode).toBe(413);
  });

  it('answers 405 with Allow for another method, 404 elsewhere, 414 for a long URL', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD'] as const) {
      const r = await t.app.inject({ method, url: '/add-checkpoint' });
      expect(r.statusCode).toBe(405);
      expect(r.headers.allow).toBe('POST');
    }
    const post = await t.app.inject({
      method: 'POST',
      url: `/checkpoints/${ORIGIN}`,
      payload: 'x',
    });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    for (const url of [
      '/add-checkpoint/',
      '/add-checkpoints',
      '/checkpoint',
      '/x/add-checkpoint',
    ]) {
      expect((await t.app.inject({ method: 'POST', url, payload: 'x' })).statusCode).toBe(404);
    }
    const long = await t.app.inject({
      method: 'GET',
      url: `/checkpoints/${'a'.repeat(MAX_URL_LENGTH)}`,
    });
    expect(long.statusCode).toBe(414);
    // A query string does not change the route.
    expect((await t.post(log.body(0, a), '/add-checkpoint?x=1')).statusCode).toBe(409);
  });
});
