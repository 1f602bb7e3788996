/**
 * A small, bounded XML reader for bank statements (XML 1.0, the subset ISO 20022 messages use):
 * elements, attributes, text, CDATA, comments and processing instructions, in UTF-8.
 *
 * Safe by refusal: a document type declaration (`<!DOCTYPE`), and so every external or custom
 * entity, is refused outright, as are entity references other than XML's five predefined ones
 * and character references. Size, nesting depth and attributes per element are bounded, so a
 * hostile file costs at most linear time and bounded memory. Namespace prefixes are dropped:
 * `<ns2:Stmt>` reads as `Stmt` (camt files use one namespace throughout).
 */
import { quote, StatementError } from './errors.js';

/** An element: its local name, attributes, child elements and its own text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's text, its direct text nodes and CDATA sections joined. */
  text: string;
  /** The 1-based line of its start tag. */
  readonly line: number;
}

/** Bounds on what `parseXml` reads. */
export interface XmlLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxAttributes: number;
}

/** Default bounds: 64 MiB, 64 levels, 32 attributes per element. */
export const XML_LIMITS: XmlLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 32,
};

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

const NAME = /[^\s/>=<"']+/y;
const WS = /\s*/y;

/**
 * Returns the root element of the UTF-8 XML document `bytes`. Throws StatementError naming the
 * line for a document over the size, depth or attribute bounds, with a DOCTYPE or an entity
 * other than the predefined ones, in an encoding other than UTF-8, or not well formed.
 */
export function parseXml(bytes: Uint8Array, limits: XmlLimits = XML_LIMITS): XmlElement {
  if (bytes.length > limits.maxBytes) {
    throw new StatementError(
      'xml.too-large',
      null,
      `the XML file is ${bytes.length} bytes; files of at most ${limits.maxBytes} bytes are read. Ask the bank for statements of a shorter period`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new StatementError(
      'xml.encoding',
      null,
      'the XML file is not valid UTF-8: ISO 20022 statements are UTF-8. The file is damaged or in another encoding',
    );
  }
  return new XmlReader(text, limits).document();
}

class XmlReader {
  private pos = 0;
  private line = 1;
  private lineCountedTo = 0;

  constructor(
    private readonly src: string,
    private readonly limits: XmlLimits,
  ) {}

  private lineAt(pos: number): number {
    // Lines are counted forward only, once: positions only grow.
    for (let i = this.lineCountedTo; i < pos; i++) if (this.src.charCodeAt(i) === 10) this.line++;
    this.lineCountedTo = Math.max(this.lineCountedTo, pos);
    return this.line;
  }

  private fail(code: string, message: string, at = this.pos): never {
    throw new StatementError(code, this.lineAt(at), message);
  }

  document(): XmlElement {
    const src = this.src;
    let root: XmlElement | null = null;
    const stack: XmlElement[] = [];
    while (this.pos < src.length) {
      const lt = src.indexOf('<', this.pos);
      const textEnd = lt < 0 ? src.length : lt;
      if (textEnd > this.pos) {
        const raw = src.slice(this.pos, textEnd);
        const top = stack[stack.length - 1];
        if (top === undefined) {
          if (raw.trim() !== '') this.fail('xml.syntax', 'text outside the root element');
        } else top.text += this.decodeText(raw, this.pos);
        this.pos = textEnd;
        if (lt < 0) break;
      }
      if (src.startsWith('<!--', this.pos)) {
        const end = src.indexOf('-->', this.pos + 4);
        if (end < 0) this.fail('xml.syntax', 'a comment is not closed with -->');
        this.pos = end + 3;
      } else if (src.startsWith('<![CDATA[', this.pos)) {
        const end = src.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('xml.syntax', 'a CDATA section is not closed with ]]>');
        const top = stack[stack.length - 1];
        if (top === undefined) this.fail('xml.syntax', 'a CDATA section outside the root element');
        top.text += src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (src.startsWith('<!', this.pos)) {
        if (/^<!DOCTYPE/i.test(src.slice(this.pos, this.pos + 9))) {
          this.fail(
            'xml.doctype',
            'the file has a document type declaration (<!DOCTYPE): it is refused, because it can define entities that read other files or expand without bound. Bank statements have none; ask the bank for the file as it was sent',
          );
        }
        this.fail('xml.syntax', `${quote(src.slice(this.pos, this.pos + 20))} is not allowed here`);
      } else if (src.startsWith('<?', this.pos)) {
        const end = src.indexOf('?>', this.pos + 2);
        if (end < 0) this.fail('xml.syntax', 'a processing instruction is not closed with ?>');
        const body = src.slice(this.pos + 2, end);
        if (/^xml\s/.test(body)) {
          const enc = /encoding\s*=\s*["']([^"']*)["']/.exec(body);
          if (enc !== null && !/^utf-?8$/i.test(enc[1]!)) {
            this.fail(
              'xml.encoding',
              `the file declares encoding="${enc[1]}"; only UTF-8, which ISO 20022 requires, is read`,
            );
          }
        }
        this.pos = end + 2;
      } else if (src.startsWith('</', this.pos)) {
        const at = this.pos;
        this.pos += 2;
        const name = this.name();
        WS.lastIndex = this.pos;
        WS.exec(src);
        this.pos = WS.lastIndex;
        if (src[this.pos] !== '>')
          this.fail('xml.syntax', `the end tag </${name}> is not closed with >`);
        this.pos++;
        const top = stack.pop();
        if (top === undefined || top.name !== localName(name)) {
          this.fail(
            'xml.syntax',
            top === undefined
              ? `</${name}> closes no element`
              : `</${name}> closes <${top.name}> (opened at line ${top.line}): the file is not well formed`,
            at,
          );
        }
      } else {
        const at = this.pos;
        this.pos++;
        const name = this.name();
        const attributes: Record<string, string> = {};
        let count = 0;
        let selfClosing = false;
        for (;;) {
          WS.lastIndex = this.pos;
          WS.exec(src);
          this.pos = WS.lastIndex;
          const c = src[this.pos];
          if (c === '>') {
            this.pos++;
            break;
          }
          if (c === '/' && src[this.pos + 1] === '>') {
            this.pos += 2;
            selfClosing = true;
            break;
          }
          if (c === undefined) this.fail('xml.syntax', `the tag <${name}> is not closed`, at);
          const attr = this.name();
          WS.lastIndex = this.pos;
          WS.exec(src);
          this.pos = WS.lastIndex;
          if (src[this.pos] !== '=') this.fail('xml.syntax', `the attribute ${attr} has no value`);
          this.pos++;
          WS.lastIndex = this.pos;
          WS.exec(src);
          this.pos = WS.lastIndex;
          const q = src[this.pos];
          if (q !== '"' && q !== "'") this.fail('xml.syntax', `the value of ${attr} is not quoted`);
          const end = src.indexOf(q, this.pos + 1);
          if (end < 0) this.fail('xml.syntax', `the value of ${attr} is not closed`);
          const raw = src.slice(this.pos + 1, end);
          if (raw.includes('<')) this.fail('xml.syntax', `the value of ${attr} holds <`);
          if (++count > this.limits.maxAttributes) {
            this.fail(
              'xml.limit',
              `<${name}> has more than ${this.limits.maxAttributes} attributes`,
              at,
            );
          }
          attributes[attr] = this.decodeText(raw, this.pos);
          this.pos = end + 1;
        }
        const element: XmlElement = {
          name: localName(name),
          attributes,
          children: [],
          text: '',
          line: this.lineAt(at),
        };
        const parent = stack[stack.length - 1];
        if (parent === undefined) {
          if (root !== null) this.fail('xml.syntax', 'a second root element', at);
          root = element;
        } else parent.children.push(element);
        if (!selfClosing) {
          stack.push(element);
          if (stack.length > this.limits.maxDepth) {
            this.fail('xml.limit', `elements nest deeper than ${this.limits.maxDepth} levels`, at);
          }
        }
      }
    }
    const open = stack[stack.length - 1];
    if (open !== undefined) {
      this.fail(
        'xml.truncated',
        `<${open.name}> (line ${open.line}) is never closed: the file was cut short`,
      );
    }
    if (root === null) this.fail('xml.syntax', 'the file holds no XML element');
    return root;
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (m === null) this.fail('xml.syntax', 'a tag or attribute without a name');
    this.pos = NAME.lastIndex;
    return m[0];
  }

  /** Replaces the predefined entities and character references; refuses any other entity. */
  private decodeText(raw: string, at: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;\s&]{0,32});?/g, (whole, ref: string) => {
      if (!whole.endsWith(';'))
        this.fail('xml.entity', `a bare & in the text (${quote(whole)}); write &amp;`, at);
      const named = PREDEFINED[ref];
      if (named !== undefined) return named;
      const num = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (num !== null) {
        const code = num[1] !== undefined ? Number.parseInt(num[1], 16) : Number(num[2]);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
          this.fail('xml.entity', `&${ref}; is not a character`, at);
        }
        return String.fromCodePoint(code);
      }
      return this.fail(
        'xml.entity',
        `the entity &${ref}; is refused: only XML's five (&lt; &gt; &amp; &quot; &apos;) and character references are read, never entities defined elsewhere`,
        at,
      );
    });
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The first child of `e` named `name`, or undefined. */
export function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

/** Every child of `e` named `name`. */
export function children(e: XmlElement | undefined, name: string): XmlElement[] {
  return e === undefined ? [] : e.children.filter((c) => c.name === name);
}

/** The element at the end of a path of child names, or undefined. */
export function at(e: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = e;
  for (const p of path) cur = child(cur, p);
  return cur;
}

/** The trimmed text at a path, or `''`. */
export function textAt(e: XmlElement | undefined, ...path: string[]): string {
  return at(e, ...path)?.text.trim() ?? '';
}
