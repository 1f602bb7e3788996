/**
 * Untrusted text made inert for a terminal. Text from outside — a bundle's record id, a bank
 * statement's payment purpose, a file name, a witness's answer — may hold code points that act
 * on the terminal instead of being shown, or that make it show something other than what is
 * there:
 *
 * - controls (Unicode category Cc): C0, DEL and C1. ESC (U+001B) and CSI (U+009B) start the
 *   ECMA-48 control sequences that clear the screen, move the cursor or retitle the window; CR
 *   goes back to the start of the line to overwrite it; LF starts a line the value does not own.
 * - format characters (Cf): the bidirectional controls of UAX #9 (U+061C, U+200E, U+200F,
 *   U+202A–U+202E, U+2066–U+2069), which reorder what follows ("exe.txt" shown as "txt.exe");
 *   the invisible ones (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+00AD, tag characters), which
 *   make two different names look the same (Unicode TR #36, §2 "Visual Security Issues").
 * - the line and paragraph separators U+2028 (Zl) and U+2029 (Zp), which some terminals and
 *   editors break lines at.
 * - lone surrogates (Cs), which are not text: written out they become U+FFFD, hiding what the
 *   value held.
 *
 * Each such UTF-16 code unit becomes `\uXXXX` (lower-case hex), the escape JSON itself writes
 * for controls, so the result reads the same in a terminal and inside a JSON string:
 * `printableLines` applied to JSON text gives JSON that parses to the same value. Backslashes
 * are not escaped, so the rule is stable (`printable(printable(x)) === printable(x)`); the cost
 * is that a value which already spells `\u001b` looks like one that held ESC.
 *
 * What stays: every letter, mark, digit, symbol and space, so Russian and Kyrgyz text (ң ө ү,
 * «», —) is unchanged. Emoji joined by U+200D show the joiner as `\u200d`: a name that differs
 * only by an invisible character must not look the same as another.
 */

/** Cc, Cf, Zl, Zp and lone surrogates: the code points `printable` escapes. */
const INERT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const unicodeEscape = (c: string): string => {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
};

/**
 * Returns `text` inert for one line of a terminal: controls (LF and CR included), format and
 * bidirectional characters, line separators and lone surrogates become `\uXXXX`. Never throws.
 */
export function printable(text: string): string {
  return text.replace(INERT, unicodeEscape);
}

/**
 * Returns `text` inert for a terminal, keeping its line breaks: LF and CRLF stay, and each line
 * between them goes through `printable` (a CR elsewhere, an ESC, a U+202E do not act). For
 * output made of lines on purpose — a report, a help text, indented JSON, CSV — where the
 * values inside were not each made printable. Never throws.
 */
export function printableLines(text: string): string {
  return text
    .split('\n')
    .map((line, i, lines) =>
      line.endsWith('\r') && i < lines.length - 1
        ? `${printable(line.slice(0, -1))}\r`
        : printable(line),
    )
    .join('\n');
}
