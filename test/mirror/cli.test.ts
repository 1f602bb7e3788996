/**
 * The commands, in-process through `main`: mirror token/tokens/revoke, mirror pull (its report,
 * and a fork's loud refusal with exit code 1), serve --mirror with a token, and restore from a
 * directory and from a URL, then fsck on the restored vault.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { signCheckpoint } from '../../src/log/checkpoint.js';
import { serveCommand } from '../../src/server/serve.js';
import { logSigner } from '../../src/vault/keys.js';
import { capture, hasStackTrace, removeTemp, tempDir, withDatabase } from '../vault/helpers.js';
import {
  createTestVault,
  type MirrorTestVault,
  PASSPHRASE,
  type Served,
  sealFolder,
  serveVault,
  smallFiles,
} from './helpers.js';

describe('tamga mirror and restore commands', () => {
  let root: string;
  let v: MirrorTestVault;
  let served: Served;

  beforeAll(async () => {
    root = tempDir('tamga-mirror-cli-');
    v = await createTestVault(join(root, 'vault'));
    await sealFolder(v, root, 'docs', smallFiles(4, 'док'));
    served = await serveVault(v.dir);
  });

  afterAll(async () => {
    await served.close();
    v.vault.close();
    removeTemp(root);
  });

  const run = async (args: string[], env: Record<string, string> = {}) => {
    const c = capture(root, { TAMGA_PASSPHRASE: PASSPHRASE, TAMGA_VAULT: v.dir, ...env });
    const code = await main(args, c.ctx);
    const all = [...c.out, ...c.err].join('\n');
    expect(hasStackTrace(all)).toBe(false);
    return { code, out: c.out, err: c.err };
  };

  let tok = '';

  it('issues, lists and revokes tokens', async () => {
    const issued = await run(['mirror', 'token', '--label', 'ituc-brussels']);
    expect(issued.code).toBe(0);
    expect(issued.out).toHaveLength(1);
    tok = issued.out[0]!;
    expect(tok).toMatch(/^tmt1_[A-Za-z0-9_-]{43}$/);
    // Only its hash is kept.
    withDatabase(v.dir, (db) => {
      const rows = db.prepare('SELECT hash FROM mirror_tokens').all() as Array<{ hash: Buffer }>;
      expect(rows.some((r) => r.hash.toString('utf8').includes(tok))).toBe(false);
    });
    expect((await run(['mirror', 'token', '--label', 'ituc-brussels'])).code).toBe(1);
    const second = await run(['mirror', 'token', '--label', 'old-laptop']);
    const list = await run(['mirror', 'tokens']);
    expect(list.out.join('\n')).toMatch(/ituc-brussels {2}issued .* {2}active/);
    expect(list.out.join('\n')).not.toContain(tok);
    expect((await run(['mirror', 'revoke', 'old-laptop'])).code).toBe(0);
    expect((await run(['mirror', 'tokens'])).out.join('\n')).toMatch(
      /old-laptop {2}issued .* {2}revoked/,
    );
    expect((await run(['mirror', 'revoke', 'old-laptop'])).code).toBe(1);
    const denied = await run(['mirror', 'pull', served.url, '--into', join(root, 'denied')], {
      TAMGA_MIRROR_TOKEN: second.out[0]!,
    });
    expect(denied.code).toBe(1);
    expect(denied.err.join('\n')).toMatch(/refused the mirror token/);
  });

  it('pulls, serves the mirror with a token, and restores', async () => {
    const mirror = join(root, 'mirror');
    const pulled = await run(['mirror', 'pull', served.url, '--into', mirror], {
      TAMGA_MIRROR_TOKEN: tok,
    });
    expect(pulled.err.join('\n')).not.toMatch(/tamga:/);
    expect(pulled.code).toBe(0);
    expect(pulled.err.join('\n')).toMatch(/Mirrored .*: 4 records/);

    const stop = new AbortController();
    const lines: string[] = [];
    const serving = serveCommand(
      {
        vault: '',
        mirror,
        token: 'tmt1_a-token-for-the-served-mirror',
        host: '127.0.0.1',
        port: 0,
        signal: stop.signal,
      },
      { out: (l) => lines.push(l) },
    );
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    const url = /at (http:\/\/\S+)/.exec(lines[0]!)![1]!;
    try {
      const again = await run(['mirror', 'pull', url, '--into', join(root, 'mirror2')], {
        TAMGA_MIRROR_TOKEN: 'tmt1_a-token-for-the-served-mirror',
      });
      expect(again.err.join('\n')).not.toMatch(/tamga:/);
      expect(again.code).toBe(0);
      const fromUrl = await run(['restore', '--from', url, '--vault', join(root, 'restored-url')], {
        TAMGA_MIRROR_TOKEN: 'tmt1_a-token-for-the-served-mirror',
      });
      expect(fromUrl.code).toBe(0);
    } finally {
      stop.abort();
      await serving;
    }

    const restored = join(root, 'restored');
    const r = await run(['restore', '--from', mirror, '--vault', restored]);
    expect(r.code).toBe(0);
    expect(r.err.join('\n')).toMatch(/Restored .* 4 records/);
    const check = await run(['fsck', '--vault', restored]);
    expect(check.code).toBe(0);
    expect(check.out.join('\n')).toMatch(/^OK: 4 records/m);
    // A second restore into the same place is refused.
    expect((await run(['restore', '--from', mirror, '--vault', restored])).code).toBe(1);
    // --key with a key file that is not the log's.
    const other = await createTestVault(join(root, 'other'));
    other.vault.close();
    const wrongKey = await run([
      'restore',
      '--from',
      mirror,
      '--vault',
      join(root, 'r3'),
      '--key',
      join(root, 'other', 'keys.age'),
    ]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err.join('\n')).toMatch(/not those of the log/);
  });

  it('refuses a fork loudly, with exit code 1', async () => {
    const mirror = join(root, 'mirror');
    await sealFolder(v, root, 'more', smallFiles(2, 'ещё'));
    expect(
      (await run(['mirror', 'pull', served.url, '--into', mirror], { TAMGA_MIRROR_TOKEN: tok }))
        .code,
    ).toBe(0);
    // The vault's keys sign a second checkpoint of the size the mirror now holds.
    const size = 6;
    const forged = signCheckpoint(
      { origin: v.vault.info.origin, size, root: new Uint8Array(32).fill(3) },
      logSigner(v.keys),
    );
    v.vault.db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(forged, size);
    const r = await run(['mirror', 'pull', served.url, '--into', mirror], {
      TAMGA_MIRROR_TOKEN: tok,
    });
    expect(r.code).toBe(1);
    const err = r.err.join('\n');
    expect(err).toMatch(/FORK REFUSED/);
    expect(err).toMatch(/kept in .*forks/);
  });
});
