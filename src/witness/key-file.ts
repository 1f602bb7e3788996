/**
 * The witness's cosigning key, in `witness.key`: one line holding the signer key string
 * `PRIVATE+KEY+<name>+<hex8>+<base64(0x04 || Ed25519 seed)>` (c2sp.org/tlog-cosignature, key
 * strings as Go's golang.org/x/mod/sumdb/note).
 *
 * The file is protected by file permissions, as an SSH host key is: it is created with mode 600
 * and the witness refuses to start when anyone but its owner may read it. It is not encrypted
 * with a passphrase: a witness must restart unattended after a reboot, so the passphrase would
 * have to sit on the same machine, in a file or an environment variable, and would protect
 * nothing that the permissions do not. Whoever holds the file can cosign in the witness's name:
 * keep it off backups that others can read.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { type Cosigner, generateCosignerKey, parseCosignerKey } from '../log/cosignature.js';
import { TamgaError } from '../log/errors.js';
import { decodeSignerKey } from '../log/note.js';
import { WitnessError } from './errors.js';

/** The key file's name in a witness directory. */
export const KEY_FILE = 'witness.key';

/** The witness's key: its cosigner, and the Ed25519 seed for the threads that sign with it. */
export interface WitnessKey {
  readonly cosigner: Cosigner;
  readonly seed: Uint8Array;
}

function witnessKey(skey: string): WitnessKey {
  return { cosigner: parseCosignerKey(skey), seed: decodeSignerKey(skey).privateKey };
}

/**
 * Creates the key file `file` for a new cosigning key named `name`, with mode 600, and returns
 * the key. Throws WitnessError for an invalid name or when the file already exists.
 */
export async function createKeyFile(file: string, name: string): Promise<WitnessKey> {
  let skey: string;
  try {
    skey = generateCosignerKey(name, randomBytes(32));
  } catch (e) {
    throw new WitnessError(
      'witness.name',
      `invalid witness name ${JSON.stringify(name)}: use a schema-less URL you control, without spaces or plus signs (e.g. witness.example.org/w1)`,
      { cause: e },
    );
  }
  try {
    await writeFile(file, `${skey}\n`, { mode: 0o600, flag: 'wx' });
    // The mode given to open() is masked by the umask; make sure of it.
    await chmod(file, 0o600);
  } catch (e) {
    const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
    throw new WitnessError(
      'witness.key-exists',
      exists
        ? `${file} already exists; a witness directory holds one key, and it is never overwritten`
        : `cannot write the witness key file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return witnessKey(skey);
}

/**
 * Reads the witness's key from the key file `file`. Throws WitnessError when the file is
 * missing, may be read by anyone but its owner (on POSIX systems), or holds no cosigner key.
 */
export async function readKeyFile(file: string): Promise<WitnessKey> {
  let text: string;
  try {
    const st = await stat(file);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new WitnessError(
        'witness.key-permissions',
        `the witness key file ${file} may be read by others (mode ${(st.mode & 0o777).toString(8)}); it holds the cosigning key: run chmod 600 ${file}`,
      );
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof WitnessError) throw e;
    throw new WitnessError(
      'witness.key-missing',
      `cannot read the witness key file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    return witnessKey(text.trimEnd());
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    // Never echo the file: it holds (a mangled) private key.
    throw new WitnessError(
      'witness.key-corrupt',
      `the witness key file ${file} does not hold a cosigner key (PRIVATE+KEY+<name>+<hex8>+<base64>)`,
    );
  }
}
