/**
 * The vault's witness client against real witnesses on loopback: cosignatures gathered and
 * published in the checkpoint, the quorum, a witness down (backoff, sealing goes on), a witness
 * that lost track (409 and retry), and a forged history (alarms kept with their evidence).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvidenceCommand, evidenceCommand } from '../../src/cli/evidence.js';
import { sealCommand } from '../../src/cli/seal.js';
import { trustShowCommand } from '../../src/cli/trust.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { witnessesPolicyCommand, witnessesSyncCommand } from '../../src/cli/witnesses.js';
import { signCheckpoint } from '../../src/log/checkpoint.js';
import { checkCosignatures, parseCosignatureVerifierKey } from '../../src/log/cosignature.js';
import { encodeBase64 } from '../../src/log/encoding.js';
import { MemoryTree } from '../../src/log/memory-tree.js';
import { leafHash } from '../../src/log/merkle.js';
import { parseSignerKey } from '../../src/log/note.js';
import { consistencyProofSync } from '../../src/log/proof.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import type { Vault } from '../../src/vault/vault.js';
import {
  addWitness,
  getWitness,
  listAlarms,
  setQuorum,
  witnessedCheckpoint,
} from '../../src/vault/witnesses.js';
import { gatherCosignatures } from '../../src/witness/client.js';
import { listenWitness } from '../../src/witness/commands.js';
import { buildWitnessServer } from '../../src/witness/server.js';
import { Witness } from '../../src/witness/witness.js';
import { capture, newVault, removeTemp, tempDir, writeTree } from '../vault/helpers.js';

interface Running {
  name: string;
  witness: Witness;
  app: FastifyInstance;
  url: string;
  vkey: string;
}

async function startWitness(dir: string, name: string, vault: Vault): Promise<Running> {
  const witness = await Witness.init(join(dir, name.replace(/\W/g, '_')), name);
  witness.addLog(vault.info.logVerifierKey);
  const app = buildWitnessServer(witness);
  const url = await listenWitness(app, '127.0.0.1', 0);
  return { name, witness, app, url, vkey: witness.verifierKey };
}

describe('gathering cosignatures from witnesses', () => {
  let dir: string;
  let vault: Vault;
  let keys: Awaited<ReturnType<typeof newVault>>['keys'];
  const witnesses: Running[] = [];

  beforeAll(async () => {
    dir = tempDir('tamga-witness-client-');
    ({ vault, keys } = await newVault(join(dir, 'vault')));
    for (const n of ['w1.test.example/w', 'w2.test.example/w', 'w3.test.example/w']) {
      const w = await startWitness(dir, n, vault);
      witnesses.push(w);
      addWitness(vault.db, { name: w.name, vkey: w.vkey, url: w.url });
    }
    setQuorum(vault.db, 2);
  });

  afterAll(async () => {
    vault.close();
    for (const w of witnesses) {
      await w.app.close();
      await w.witness.close();
    }
    removeTemp(dir);
  });

  const vaultOpts = () => ({ vault: join(dir, 'vault') });

  it('seals, then publishes the checkpoint with every witness cosignature', async () => {
    writeTree(join(dir, 'docs'), { 'a.txt': 'minutes 1', 'b.txt': 'ledger 2' });
    const c = capture(dir);
    await sealCommand([join(dir, 'docs')], { ...vaultOpts(), witnessWait: 10 }, c.ctx);
    const latest = latestCheckpoint(vault.db)!;
    expect(latest.size).toBe(2);
    expect(c.err.join('\n')).toMatch(/Witnesses: 3 cosigned the checkpoint of size 2 \(quorum 2\)/);
    // The published note carries the cosignatures, which verify under the policy.
    const verifiers = witnesses.map((w) => parseCosignatureVerifierKey(w.vkey));
    const opened = checkCosignatures(latest.note, vault.logVerifier(), verifiers, 3);
    expect(opened.cosignatures.map((x) => x.name).sort()).toEqual(witnesses.map((w) => w.name));
    expect(witnessedCheckpoint(vault.db, 2)!.cosignatures).toHaveLength(3);
    for (const w of witnesses) expect(getWitness(vault.db, w.name)!.cosignedSize).toBe(2);
    // Asking again changes nothing.
    const again = await gatherCosignatures(vault);
    expect(again.map((o) => o.status)).toEqual(['up-to-date', 'up-to-date', 'up-to-date']);
  });

  it('goes on without a witness that is down, and backs off from it', async () => {
    const down = witnesses[2]!;
    await down.app.close();
    writeTree(join(dir, 'docs2'), { 'c.txt': 'report 3' });
    const c = capture(dir);
    const summary = await sealCommand(
      [join(dir, 'docs2')],
      { ...vaultOpts(), witnessWait: 10 },
      c.ctx,
    );
    expect(summary.sealed).toBe(1);
    expect(c.err.join('\n')).toMatch(
      /w3.test.example\/w: (not reached|waiting until).*cannot reach/,
    );
    const w3 = getWitness(vault.db, down.name)!;
    expect(w3.failures).toBe(1);
    expect(Date.parse(w3.nextAttempt!)).toBeGreaterThan(Date.now());
    expect(witnessedCheckpoint(vault.db, 3)!.cosignatures).toHaveLength(2);
    // Within the backoff it is not asked; forced, it is, and fails again.
    const outcomes = await gatherCosignatures(vault, { only: [down.name] });
    expect(outcomes[0]!.status).toBe('deferred');
    // Back up, on a new port: it catches up from size 2 with a consistency proof.
    down.app = buildWitnessServer(down.witness);
    down.url = await listenWitness(down.app, '127.0.0.1', 0);
    vault.db
      .prepare('UPDATE witnesses SET url = ? WHERE name = ?')
      .run(down.url.replace(/\/$/, ''), down.name);
    const c2 = capture(dir);
    expect(await witnessesSyncCommand(vaultOpts(), c2.ctx)).toBe(true);
    expect(witnessedCheckpoint(vault.db, 3)!.cosignatures).toHaveLength(3);
  });

  it('asks again from the size a witness reports (409)', async () => {
    const w = witnesses[0]!;
    // The vault believes w1 holds size 1 and has no cosignature of it for the latest size: it
    // sends old 1 with a proof from 1, w1 answers 409 with its size, and the retry succeeds.
    const size = latestCheckpoint(vault.db)!.size;
    vault.db.prepare('DELETE FROM cosignatures WHERE size = ? AND vkey = ?').run(size, w.vkey);
    vault.db.prepare('UPDATE witnesses SET cosigned_size = 1 WHERE name = ?').run(w.name);
    const outcomes = await gatherCosignatures(vault, { force: true, only: [w.name] });
    expect(outcomes[0]).toMatchObject({ status: 'cosigned', size });
    expect(getWitness(vault.db, w.name)!.cosignedSize).toBe(size);
  });

  it('dates records by their witnesses in verify, show, evidence and check-evidence', async () => {
    const c = capture(dir);
    const [result] = await verifyCommand([join(dir, 'docs', 'a.txt')], vaultOpts(), c.ctx);
    expect(result).toMatchObject({ status: 'sealed' });
    const rec = (
      result as {
        records: Array<{ checkpointSize: number; provenNoLaterThan: string; witnesses: string[] }>;
      }
    ).records[0]!;
    // a.txt is in the first checkpoint (size 2), which every witness cosigned.
    expect(rec.checkpointSize).toBe(2);
    expect(rec.witnesses).toHaveLength(3);
    expect(Date.parse(rec.provenNoLaterThan)).toBeLessThanOrEqual(Date.now());
    expect(c.out.join('\n')).toMatch(
      /SEALED .*proven to exist no later than \d{4}-.*, by witnesses w\d/,
    );

    const out = join(dir, 'bundle');
    await evidenceCommand(
      [],
      { ...vaultOpts(), out, file: [join(dir, 'docs', 'a.txt')] },
      capture(dir).ctx,
    );
    // Unpinned, the bundle is consistent and no more: no date from keys it carries itself.
    const unpinned = await checkEvidenceCommand(out, [], {}, capture(dir).ctx);
    expect(unpinned.status).toBe('unconfirmed');
    expect(unpinned.provenNoLaterThan).toBeNull();
    const statement = join(dir, 'trust.txt');
    await trustShowCommand({ ...vaultOpts(), out: statement }, capture(dir).ctx);
    const checked = await checkEvidenceCommand(out, [], { trust: statement }, capture(dir).ctx);
    expect(checked.ok).toBe(true);
    expect(checked.status).toBe('verified');
    expect(checked.checkpoint.quorum).toMatchObject({ required: 2, valid: 3, met: true });
    expect(checked.provenNoLaterThan).toBe(
      Math.min(...checked.checkpoint.cosignatures.map((x) => x.timestamp)),
    );

    // Pinned: the vault's policy verifies it; a policy of other witnesses does not.
    const policyFile = join(dir, 'policy.txt');
    const p = capture(dir);
    writeFileSync(policyFile, await witnessesPolicyCommand(vaultOpts(), p.ctx));
    expect((await checkEvidenceCommand(out, [], { policy: policyFile }, capture(dir).ctx)).ok).toBe(
      true,
    );
    const other = `witness other.example/w ${'ab'.repeat(32)}\nwitness other2.example/w ${'cd'.repeat(32)}\ngroup g 1 other.example/w other2.example/w\nquorum g\n`;
    writeFileSync(policyFile, other);
    const refused = await checkEvidenceCommand(out, [], { policy: policyFile }, capture(dir).ctx);
    expect(refused.ok).toBe(false);
    expect(refused.checkpoint.quorum.met).toBe(false);
  });

  it('raises and keeps an alarm when a witness holds a history the vault never wrote', async () => {
    // A forger with the vault's key: a checkpoint two entries past the vault's, of other entries,
    // consistent with what the witnesses saw, so w2 accepts it.
    const latest = latestCheckpoint(vault.db)!;
    const real = vault.db.prepare('SELECT commitment FROM records ORDER BY idx').all() as Array<{
      commitment: Uint8Array;
    }>;
    const forged = new MemoryTree();
    for (const r of real) forged.appendLeafHash(leafHash(r.commitment));
    forged.appendData(new TextEncoder().encode('forged 1'));
    forged.appendData(new TextEncoder().encode('forged 2'));
    const note = signCheckpoint(
      { origin: vault.info.origin, size: forged.size, root: forged.root() },
      parseSignerKey(keys.logSignerKey),
    );
    const proof = consistencyProofSync(latest.size, forged.size, forged);
    const w2 = witnesses[1]!;
    const res = await fetch(`${w2.url}add-checkpoint`, {
      method: 'POST',
      body: `old ${latest.size}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`,
    });
    expect(res.status).toBe(200);
    // The real vault grows by two other entries: w2 answers 409 (size+2), then 422 on the same
    // size with another root. That is an alarm, with what was sent and what came back.
    writeTree(join(dir, 'docs3'), { 'd.txt': 'statement 4', 'e.txt': 'statement 5' });
    const c = capture(dir);
    await sealCommand([join(dir, 'docs3')], { ...vaultOpts(), witnessWait: 10 }, c.ctx);
    expect(latestCheckpoint(vault.db)!.size).toBe(forged.size);
    expect(c.err.join('\n')).toMatch(/!! ALARM \d+ from w2.test.example\/w: .*REFUSED/);
    const [alarm] = listAlarms(vault.db);
    // Same size, other root: the witness answers 409 without a size (a fork), or 422.
    expect(alarm).toMatchObject({
      source: w2.name,
      kind: expect.stringMatching(/^(fork|refused)$/),
    });
    expect([409, 422]).toContain((alarm!.evidence as { status: number }).status);
    // The others cosigned, so the quorum holds; w2 waits out the longest backoff.
    expect(
      witnessedCheckpoint(vault.db, forged.size)!
        .cosignatures.map((x) => x.name)
        .sort(),
    ).toEqual([witnesses[0]!.name, witnesses[2]!.name]);
    expect(getWitness(vault.db, w2.name)!.lastError).toMatch(/^ALARM/);
  });
});
