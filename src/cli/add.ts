/** `tamga add --kind KIND --json FILE|-`: seal a record of any kind from JSON. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RECORD_KINDS } from '../records/bodies.js';
import { newRecordId } from '../records/id.js';
import { isRecordKind, parseRecordCanonical } from '../records/record.js';
import { sealedEntry } from '../vault/entry.js';
import { assertMayAppend } from '../vault/restored.js';
import { Vault } from '../vault/vault.js';
import { noteAccountAuthor, recordAuthor } from './author.js';
import {
  type CommandContext,
  passphrase,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';
import { startCosigning } from './witnesses.js';

const MAX_INPUT = 2 * 1024 * 1024;

async function readInput(source: string): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of process.stdin) {
      n += (c as Buffer).length;
      if (n > MAX_INPUT)
        throw new UsageError('the JSON on standard input is larger than 2 MiB (2,097,152 bytes)');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  const text = await readFile(source, 'utf8');
  if (text.length > MAX_INPUT)
    throw new UsageError(`${source} is larger than 2 MiB (2,097,152 bytes)`);
  return text;
}

/**
 * Seals one record. The JSON is the record's body, or an object with `body` and optionally
 * `files`, `refs` and `author`; id and time are filled in. Resolves to the record id.
 */
export async function addCommand(
  opts: VaultOptions & {
    kind?: string;
    json?: string;
    author?: string;
    input?: string;
    witnessWait?: number;
  },
  ctx: CommandContext,
): Promise<string> {
  if (!opts.kind || !isRecordKind(opts.kind))
    throw new UsageError(`--kind must be one of ${RECORD_KINDS.join(', ')}`);
  if (!opts.json)
    throw new UsageError('give the record as --json FILE, or --json - to read standard input');
  const text = opts.input ?? (await readInput(opts.json));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`the input is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError('the input must be a JSON object');
  const given = value as Record<string, unknown>;
  const wrapped = 'body' in given;
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    assertMayAppend(vault.db);
    const author = recordAuthor(vault, opts.author, ctx);
    const now = new Date();
    const { record, canonical } = parseRecordCanonical({
      kind: opts.kind,
      id: newRecordId(now.getTime(), randomBytes(10)),
      created: `${now.toISOString().slice(0, 19)}Z`,
      author: (wrapped ? given.author : undefined) ?? author.name,
      body: wrapped ? given.body : given,
      files: (wrapped ? given.files : undefined) ?? [],
      refs: (wrapped ? given.refs : undefined) ?? [],
    });
    // A record may name only files the vault holds: fsck and evidence need their contents.
    const known = vault.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?');
    for (const f of record.files) {
      if (known.get(f.sha256) === undefined) {
        throw new UsageError(
          `file ${f.name} (${f.sha256}) is not in the vault; seal it first with \`tamga seal\`, then name it here`,
        );
      }
    }
    const keys = await vault.unlock(await passphrase(ctx));
    const result = vault.sequencer(keys).append([
      sealedEntry(
        record,
        canonical,
        record.files.map((f) => ({ sha256: f.sha256, name: f.name, size: f.size })),
      ),
    ]);
    ctx.out(record.id);
    ctx.err(`Sealed ${record.kind} record ${record.id} as log entry ${result.firstIndex}.`);
    if (!(wrapped && given.author !== undefined)) noteAccountAuthor(ctx, author);
    await startCosigning(vault, ctx)?.finish((opts.witnessWait ?? 10) * 1000, false);
    return record.id;
  } finally {
    vault.close();
  }
}
