/**
 * Bech32 (BIP 173, https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki), as age
 * uses it for its key strings: without BIP 173's 90-character limit, all-lowercase or
 * all-uppercase, checksum computed over the lowercase string.
 */
import { AgeError } from './errors.js';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const b = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((b >>> i) & 1) chk ^= GENERATOR[i]!;
  }
  return chk >>> 0;
}

// hrp_expand(s) = [ord(x) >> 5 for x in s] + [0] + [ord(x) & 31 for x in s]
function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

/** Regroups bits: 8 → 5 pads the tail with zeros; 5 → 8 refuses a non-zero or long tail. */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & max);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || acc !== 0) {
    throw new AgeError('age.bad-recipient', 'invalid Bech32: non-zero padding');
  }
  return out;
}

/** Returns the lowercase Bech32 string of `bytes` under `hrp` (which must be lowercase). */
export function encodeBech32(hrp: string, bytes: Uint8Array): string {
  const data = convertBits(bytes, 8, 5, true);
  // The checksum makes polymod(hrp_expand(hrp) + data + checksum) equal 1.
  const mod = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  for (let i = 0; i < 6; i++) data.push((mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${data.map((d) => CHARSET[d]).join('')}`;
}

/**
 * Decodes a Bech32 string. Returns the human-readable part as written (so callers can insist
 * on its case) and the data bytes; throws {@link AgeError} (`age.bad-recipient`, which key
 * parsers re-label) on mixed case, a bad character, a bad checksum or bad padding.
 */
export function decodeBech32(s: string): { hrp: string; bytes: Uint8Array } {
  const fail = (why: string): never => {
    throw new AgeError('age.bad-recipient', `invalid Bech32: ${why}`);
  };
  const lower = s.toLowerCase();
  if (s !== lower && s !== s.toUpperCase()) fail('mixed case');
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) fail('missing separator, prefix or checksum');
  for (let i = 0; i < sep; i++) {
    const c = lower.charCodeAt(i);
    if (c < 33 || c > 126) fail('invalid prefix character');
  }
  const data: number[] = [];
  for (let i = sep + 1; i < lower.length; i++) {
    const d = CHARSET.indexOf(lower[i]!);
    if (d < 0) fail(`invalid character ${JSON.stringify(s[i])}`);
    data.push(d);
  }
  if (polymod([...hrpExpand(lower.slice(0, sep)), ...data]) !== 1) fail('bad checksum');
  const bytes = Uint8Array.from(convertBits(data.slice(0, -6), 5, 8, false));
  return { hrp: s.slice(0, sep), bytes };
}
