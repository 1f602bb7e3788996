/**
 * The two single-byte code pages of Russian-language bank files, written out so that decoding
 * does not depend on the ICU data a runtime ships (Node built with small-icu, some browsers):
 * Windows-1251 and DOS code page 866, as the WHATWG Encoding Standard defines them
 * ("windows-1251", "ibm866"). Bytes 0x00–0x7F are ASCII in both. Byte 0x98 is unassigned in
 * Windows-1251 and refused.
 */

/** The code pages a 1C file may be written in. */
export type CodePage = 'windows-1251' | 'cp866';

// Characters of bytes 0x80–0xFF, from the WHATWG index-windows-1251 and index-ibm866 tables
// (checked against TextDecoder in test/books/import-1c.test.ts).
const WINDOWS_1251 =
  '\u0402\u0403\u201a\u0453\u201e\u2026\u2020\u2021\u20ac\u2030\u0409\u2039\u040a\u040c\u040b\u040f' +
  '\u0452\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u0098\u2122\u0459\u203a\u045a\u045c\u045b\u045f' +
  '\u00a0\u040e\u045e\u0408\u00a4\u0490\u00a6\u00a7\u0401\u00a9\u0404\u00ab\u00ac\u00ad\u00ae\u0407' +
  '\u00b0\u00b1\u0406\u0456\u0491\u00b5\u00b6\u00b7\u0451\u2116\u0454\u00bb\u0458\u0405\u0455\u0457' +
  '\u0410\u0411\u0412\u0413\u0414\u0415\u0416\u0417\u0418\u0419\u041a\u041b\u041c\u041d\u041e\u041f' +
  '\u0420\u0421\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c\u042d\u042e\u042f' +
  '\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043a\u043b\u043c\u043d\u043e\u043f' +
  '\u0440\u0441\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044a\u044b\u044c\u044d\u044e\u044f';

const CP866 =
  '\u0410\u0411\u0412\u0413\u0414\u0415\u0416\u0417\u0418\u0419\u041a\u041b\u041c\u041d\u041e\u041f' +
  '\u0420\u0421\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c\u042d\u042e\u042f' +
  '\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043a\u043b\u043c\u043d\u043e\u043f' +
  '\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510' +
  '\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567' +
  '\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580' +
  '\u0440\u0441\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044a\u044b\u044c\u044d\u044e\u044f' +
  '\u0401\u0451\u0404\u0454\u0407\u0457\u040e\u045e\u00b0\u2219\u00b7\u221a\u2116\u00a4\u25a0\u00a0';

const TABLES: Readonly<Record<CodePage, string>> = { 'windows-1251': WINDOWS_1251, cp866: CP866 };

/** The byte 0x98, which Windows-1251 leaves unassigned. */
const UNASSIGNED_1251 = 0x98;

const DECODERS = new Map<CodePage, Uint16Array>();

function decoderOf(page: CodePage): Uint16Array {
  let t = DECODERS.get(page);
  if (t === undefined) {
    t = new Uint16Array(256);
    for (let i = 0; i < 128; i++) t[i] = i;
    for (let i = 0; i < 128; i++) t[i + 0x80] = TABLES[page].charCodeAt(i);
    DECODERS.set(page, t);
  }
  return t;
}

const UTF16 = new TextDecoder('utf-16le');

/**
 * Decodes `bytes` from a code page. Returns the text, or the offset of the first byte the code
 * page does not assign (only 0x98 in Windows-1251; every byte is assigned in cp866).
 */
export function decodeCodePage(
  bytes: Uint8Array,
  page: CodePage,
): { text: string } | { badByte: number } {
  const table = decoderOf(page);
  // One UTF-16 code unit per byte, then one native decode: statements run to tens of megabytes.
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === UNASSIGNED_1251 && page === 'windows-1251') return { badByte: i };
    units[i] = table[b]!;
  }
  return { text: UTF16.decode(units) };
}

const ENCODERS = new Map<CodePage, Map<number, number>>();

function encoderOf(page: CodePage): Map<number, number> {
  let m = ENCODERS.get(page);
  if (m === undefined) {
    m = new Map();
    const table = TABLES[page];
    for (let i = 0; i < 128; i++) {
      if (page === 'windows-1251' && i + 0x80 === UNASSIGNED_1251) continue;
      m.set(table.charCodeAt(i), i + 0x80);
    }
    ENCODERS.set(page, m);
  }
  return m;
}

/**
 * Encodes `text` in a code page. Returns the bytes, or the index of the first character the code
 * page cannot write (Kyrgyz ң, ө, ү are in neither).
 */
export function encodeCodePage(
  text: string,
  page: CodePage,
): { bytes: Uint8Array } | { badChar: number } {
  const map = encoderOf(page);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[i] = c;
      continue;
    }
    const b = map.get(c);
    if (b === undefined) return { badChar: i };
    out[i] = b;
  }
  return { bytes: out };
}
