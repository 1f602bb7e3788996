/**
 * Where each value of a JSON text starts: so that a problem found in a parsed document (a
 * posting that does not balance, an amount with too many decimals) can name its line in the
 * file a person wrote.
 */

/** Escapes a key for a JSON Pointer (RFC 6901). */
function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Returns the 1-based line each value of `text` starts on, by JSON Pointer (RFC 6901: `""` the
 * whole document, `/postings/0` the first posting). `text` must be valid JSON (parse it with
 * `JSON.parse` first); for anything else the map is partial.
 */
export function jsonValueLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  let line = 1;
  // JSON strings hold no raw line breaks, so lines are counted in the white space only.
  const space = () => {
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
    }
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string, depth: number): void => {
    space();
    out.set(path, line);
    const c = text[i];
    if ((c === '{' || c === '[') && depth < 64) {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (let n = 0; i < text.length; n++) {
        space();
        let key = String(n);
        if (c === '{') {
          key = pointerKey(string());
          space();
          i++; // the colon
        }
        value(`${path}/${key}`, depth + 1);
        space();
        if (text[i++] !== ',') return;
      }
      return;
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  value('', 0);
  return out;
}
