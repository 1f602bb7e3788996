/**
 * End to end, in real processes on loopback, as the issue describes the day it matters: one
 * vault, three witnesses (quorum 2) and a mirror. Documents are sealed and cosigned, the mirror
 * pulls, a forged history signed with the vault's own key is refused by every witness, by the
 * mirror and by a verifier holding the policy; then the vault is seized (deleted), restored from
 * the mirror, and every original file verifies, fsck passes, and the blobs open with `age`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCosignatures, parseCosignatureVerifierKey } from '../../src/log/cosignature.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { x25519Recipient } from '../../src/vault/age/index.js';
import { readKeyFile } from '../../src/vault/keys.js';
import { blobPath, vaultLayout } from '../../src/vault/layout.js';
import { Vault } from '../../src/vault/vault.js';
import { type CliResult, cliAsync, removeTemp, tempDir, writeTree } from '../vault/helpers.js';
import { type Daemon, startDaemon } from './daemons.js';

installNodeCrypto();

const ageMissing = spawnSync('age', ['--version']).status !== 0;
if (ageMissing && process.env.CI) {
  throw new Error('CI needs the reference age CLI (apt-get install age), and it is missing');
}

const PASSPHRASE = 'e2e: Кыргызстан профсоюз 2023';
const ORIGIN = 'e2e.tamga.example/log';
const env = { TAMGA_PASSPHRASE: PASSPHRASE };

describe('a vault, three witnesses and a mirror, in real processes', () => {
  let root: string;
  const vaultAt = () => join(root, 'vault');
  const forkAt = () => join(root, 'vault-fork');
  const mirrorAt = () => join(root, 'mirror');
  const restoredAt = () => join(root, 'restored');
  const daemons: Daemon[] = [];
  const witnessKeys: string[] = [];
  let vaultServer: Daemon;
  let token: string;
  const files: Record<string, string> = {
    'docs/устав.txt': 'Устав профсоюза, редакция 2019 года',
    'docs/взносы-2022.csv': 'date,member,amount\n2022-01-05,17,350\n2022-02-05,17,350\n',
    'docs/scans/протокол-12.txt': 'Протокол собрания № 12: решение об аудите',
  };
  const later = { 'docs2/bank-2023-05.csv': 'date,amount\n2023-05-02,-12000\n' };
  const forged = { 'forged/bank-2023-05.csv': 'date,amount\n2023-05-02,-1200000\n' };

  const tamga = async (args: string[], expectCode: number | null = 0): Promise<CliResult> => {
    const r = await cliAsync(args, { cwd: root, env });
    if (expectCode !== null && r.status !== expectCode) {
      throw new Error(
        `tamga ${args.join(' ')} exited ${r.status}, not ${expectCode}:\n${r.stdout}\n${r.stderr}`,
      );
    }
    return r;
  };

  beforeAll(async () => {
    root = tempDir('tamga-e2e-');
    writeTree(root, { ...files, ...later, ...forged });
  });

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    removeTemp(root);
  });

  it('sets up a vault and three witnesses, quorum 2', async () => {
    const init = await tamga([
      'init',
      '--vault',
      vaultAt(),
      '--origin',
      ORIGIN,
      '--scrypt-log-n',
      '12',
    ]);
    const vkey = init.stdout.split('\n').find((l) => l.startsWith(`${ORIGIN}+`));
    expect(vkey).toBeDefined();
    for (const i of [1, 2, 3]) {
      const dir = join(root, `witness${i}`);
      const name = `w${i}.e2e.example/w`;
      const made = await tamga(['witness', 'init', '--dir', dir, '--name', name]);
      const wkey = made.stdout.trim();
      expect(wkey).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}\\+[0-9a-f]{8}\\+`));
      witnessKeys.push(wkey);
      await tamga(['witness', 'add-log', '--dir', dir, vkey!]);
      const d = await startDaemon(['witness', 'serve', '--dir', dir, '--port', '0'], env, root);
      daemons.push(d);
      await tamga(['witnesses', 'add', name, wkey, d.url, '--vault', vaultAt()]);
    }
    await tamga(['witnesses', 'quorum', '2', '--vault', vaultAt()]);
    const list = await tamga(['witnesses', '--vault', vaultAt()]);
    expect(list.stdout).toMatch(/Quorum: 2 of 3/);
  });

  it('seals documents, and every checkpoint is cosigned by at least two witnesses', async () => {
    const sealed = await tamga(['seal', '--vault', vaultAt(), 'docs']);
    expect(sealed.stderr).toMatch(/Witnesses: 3 cosigned the checkpoint of size 3 \(quorum 2\)/);
    // A copy of the vault as it stands, for the forger below: same keys, same history so far.
    cpSync(vaultAt(), forkAt(), { recursive: true });
    const more = await tamga(['seal', '--vault', vaultAt(), 'docs2']);
    expect(more.stderr).toMatch(/Witnesses: 3 cosigned the checkpoint of size 4/);
    vaultServer = await startDaemon(['serve', '--vault', vaultAt(), '--port', '0'], env, root);
    daemons.push(vaultServer);
    const checkpoint = await (await fetch(`${vaultServer.url}checkpoint`)).text();
    const vault = await Vault.open(vaultAt(), { readonly: true });
    try {
      const witnesses = witnessKeys.map(parseCosignatureVerifierKey);
      const opened = checkCosignatures(checkpoint, vault.logVerifier(), witnesses, 2);
      expect(opened.checkpoint.size).toBe(4);
      const all = vault.db.prepare('SELECT size, note FROM checkpoints').all() as Array<{
        size: number;
        note: string;
      }>;
      expect(all.map((c) => c.size)).toEqual([3, 4]);
      for (const c of all) checkCosignatures(c.note, vault.logVerifier(), witnesses, 2);
    } finally {
      vault.close();
    }
  });

  it('mirrors the vault with a token, and the mirror resumes from what it holds', async () => {
    const issued = await tamga(['mirror', 'token', '--vault', vaultAt(), '--label', 'ituc']);
    token = issued.stdout.trim().split('\n').pop()!;
    expect(token.length).toBeGreaterThan(20);
    const denied = await tamga(
      ['mirror', 'pull', vaultServer.url, '--into', mirrorAt(), '--token', 'wrong'],
      1,
    );
    expect(denied.stderr).toMatch(/token/i);
    await tamga(['mirror', 'pull', vaultServer.url, '--into', mirrorAt(), '--token', token]);
    const again = await tamga([
      'mirror',
      'pull',
      vaultServer.url,
      '--into',
      mirrorAt(),
      '--token',
      token,
    ]);
    expect(again.status).toBe(0);
  });

  it('refuses a forged history signed with the vault key: witnesses, the mirror, and a verifier', async () => {
    // The forger seals another bank statement at the same position (size 4), with the same key.
    const sealed = await tamga(['seal', '--vault', forkAt(), 'forged', '--witness-wait', '10']);
    expect(sealed.status).toBe(0);
    // Every witness refuses it (409 for the same size with another root, or 422): three alarms.
    const alarms = await tamga(['witnesses', 'alarms', '--vault', forkAt(), '--json'], 1);
    const kept = alarms.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; evidence: { status: number } });
    expect(kept.map((a) => a.source).sort()).toEqual([
      'w1.e2e.example/w',
      'w2.e2e.example/w',
      'w3.e2e.example/w',
    ]);
    for (const a of kept) expect([409, 422]).toContain(a.evidence.status);

    // The mirror refuses it too and keeps both checkpoints as proof of the fork.
    const forkServer = await startDaemon(['serve', '--vault', forkAt(), '--port', '0'], env, root);
    daemons.push(forkServer);
    const before = readFileSync(join(mirrorAt(), 'checkpoint'), 'utf8');
    const refused = await tamga(
      ['mirror', 'pull', forkServer.url, '--into', mirrorAt(), '--token', token],
      1,
    );
    expect(refused.stderr).toMatch(/fork/i);
    expect(readFileSync(join(mirrorAt(), 'checkpoint'), 'utf8')).toBe(before);
    expect(readdirSync(join(mirrorAt(), 'forks')).length).toBeGreaterThan(0);
    // A larger forged history (size 6) is not consistent with what the mirror holds either.
    writeTree(root, { 'forged2/a.txt': 'forged a', 'forged2/b.txt': 'forged b' });
    await tamga(['seal', '--vault', forkAt(), 'forged2', '--witness-wait', '1']);
    await tamga(['mirror', 'pull', forkServer.url, '--into', mirrorAt(), '--token', token], 1);
    expect(readFileSync(join(mirrorAt(), 'checkpoint'), 'utf8')).toBe(before);

    // The forger cannot make a bundle that meets the policy: tamga evidence refuses to.
    const refusedBundle = await tamga(
      [
        'evidence',
        '--vault',
        forkAt(),
        '--file',
        'forged/bank-2023-05.csv',
        '-o',
        join(root, 'no-bundle'),
      ],
      1,
    );
    expect(refusedBundle.stderr).toMatch(/witnesses cosigned validly; the policy needs 2/);
    // So the forger claims no witness is needed; a verifier holding the vault's policy rejects it.
    const policy = await tamga(['witnesses', 'policy', '--vault', vaultAt()]);
    writeFileSync(join(root, 'policy.txt'), policy.stdout);
    await tamga(['witnesses', 'quorum', '0', '--vault', forkAt()]);
    await tamga([
      'evidence',
      '--vault',
      forkAt(),
      '--file',
      'forged/bank-2023-05.csv',
      '-o',
      join(root, 'forged-bundle'),
    ]);
    // On its own keys the forged bundle is consistent, and no more: unconfirmed (3), no date.
    const alone = await tamga(['check-evidence', join(root, 'forged-bundle')], 3);
    expect(alone.stdout).toMatch(/^UNCONFIRMED/);
    expect(alone.stdout).not.toMatch(/no later than/);
    const check = await tamga(
      ['check-evidence', join(root, 'forged-bundle'), '--policy', join(root, 'policy.txt')],
      1,
    );
    expect(check.stdout).toMatch(/quorum|witness/i);
    // The union's published statement (tamga trust) refuses it too.
    await tamga(['trust', '--vault', vaultAt(), '-o', join(root, 'trust.txt')]);
    await tamga(
      ['check-evidence', join(root, 'forged-bundle'), '--trust', join(root, 'trust.txt')],
      1,
    );
    // The true record, with the same policy, verifies.
    await tamga([
      'evidence',
      '--vault',
      vaultAt(),
      '--file',
      'docs2/bank-2023-05.csv',
      '-o',
      join(root, 'true-bundle'),
    ]);
    await tamga([
      'check-evidence',
      join(root, 'true-bundle'),
      '--policy',
      join(root, 'policy.txt'),
    ]);
    const verified = await tamga([
      'check-evidence',
      join(root, 'true-bundle'),
      '--trust',
      join(root, 'trust.txt'),
    ]);
    expect(verified.stdout).toMatch(/^VERIFIED: .*under keys you trust/);
    expect(verified.stdout).toMatch(/existed no later than/);
  });

  it('loses nothing when the vault is seized: restore from the mirror, verify, fsck, age', async () => {
    await vaultServer.stop();
    rmSync(vaultAt(), { recursive: true, force: true });
    expect(existsSync(vaultAt())).toBe(false);
    await tamga(['restore', '--from', mirrorAt(), '--vault', restoredAt()]);
    const verified = await tamga(['verify', '--vault', restoredAt(), 'docs', 'docs2']);
    const lines = verified.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines)
      expect(l).toMatch(/^SEALED .*proven to exist no later than .*, by witnesses w\d/);
    const notOurs = await tamga(['verify', '--vault', restoredAt(), 'forged'], 1);
    expect(notOurs.stdout).toMatch(/^NOT SEALED/);
    await tamga(['fsck', '--vault', restoredAt()]);

    // The restored checkpoints carry their cosignatures; the blobs open with the age CLI.
    const vault = await Vault.open(restoredAt(), { readonly: true });
    try {
      const witnesses = witnessKeys.map(parseCosignatureVerifierKey);
      const all = vault.db.prepare('SELECT size, note FROM checkpoints').all() as Array<{
        size: number;
        note: string;
      }>;
      for (const c of all) checkCosignatures(c.note, vault.logVerifier(), witnesses, 2);
      if (!ageMissing) {
        const keys = await readKeyFile(vaultLayout(restoredAt()).keyFile, PASSPHRASE);
        const identity = join(root, 'identity.txt');
        writeFileSync(
          identity,
          `# public key: ${x25519Recipient(keys.ageIdentity)}\n${keys.ageIdentity}\n`,
          { mode: 0o600 },
        );
        const blobs = vault.db.prepare('SELECT sha256 FROM blobs').all() as Array<{
          sha256: string;
        }>;
        const originals = new Set(Object.values({ ...files, ...later }));
        expect(blobs).toHaveLength(originals.size);
        for (const { sha256 } of blobs) {
          const r = spawnSync('age', [
            '-d',
            '-i',
            identity,
            blobPath(vaultLayout(restoredAt()), sha256),
          ]);
          expect(r.status).toBe(0);
          expect(originals.has(r.stdout.toString('utf8'))).toBe(true);
        }
      }
    } finally {
      vault.close();
    }
  });
});
