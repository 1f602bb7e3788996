/**
 * age v1 file encryption for the vault (https://age-encryption.org/v1): the Node-only fast
 * path for bulk files, to X25519 recipients, on node:crypto; and the passphrase-protected key
 * file, on typage's scrypt recipient. Files interoperate with the reference `age` CLI.
 */
export { AgeError, type AgeErrorCode, KeyFileError, type KeyFileErrorCode } from './errors.js';
export { DEFAULT_LOG_N, openKeyFile, sealKeyFile } from './keyfile.js';
export {
  decryptBytes,
  decryptFile,
  decryptStream,
  encryptBytes,
  encryptFile,
  encryptStream,
  generateX25519Identity,
  x25519Recipient,
} from './stream.js';
