/**
 * A Vite plugin that makes a build one self-contained HTML file: every script and stylesheet the
 * HTML references is written into it, and the separate files are dropped from the output. The
 * offline verifier must open from a USB stick or an email attachment with no network and no
 * other file, under a Content-Security-Policy that allows inline code and nothing else.
 *
 * It handles what a single-entry build with `inlineDynamicImports` produces: one entry chunk
 * and one CSS asset. Anything else referenced from the HTML (a second chunk, an image) fails the
 * build rather than leaving a page that would try to fetch it.
 */
import type { Plugin, Rolldown } from 'vite';

type OutputAsset = Rolldown.OutputAsset;
type OutputChunk = Rolldown.OutputChunk;

const ASSET_TAG =
  /<script\b[^>]*\bsrc="([^"]+)"[^>]*><\/script>\s*|<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"[^>]*>\s*/g;
const OTHER_REFERENCE = /<(?:link|script|img)\b[^>]*\b(?:src|href)="(?!data:)([^"]+)"/;

/**
 * Escapes code for an inline `<script>`: the HTML parser ends a script element at `</script`
 * whatever the JavaScript around it, and `<!--` switches it into an escaped state. `<\/` and
 * `<\!` mean the same inside JavaScript strings, templates and regular expressions.
 */
export function escapeInlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Escapes CSS for an inline `<style>`, which ends at `</style`. */
export function escapeInlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

/** Returns the plugin. The build must have one HTML entry. */
export function inlineHtml(): Plugin {
  return {
    name: 'tamga-inline-html',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).filter(
        (f): f is OutputAsset => f.type === 'asset' && f.fileName.endsWith('.html'),
      );
      if (html.length !== 1) this.error(`expected one HTML page, found ${html.length}`);
      const page = html[0]!;
      const taken = new Set<string>();
      const byName = (ref: string) => {
        const name = ref.replace(/^\.?\//, '');
        const file = bundle[name];
        if (file === undefined) this.error(`the page references ${ref}, which the build lacks`);
        taken.add(name);
        return file;
      };
      // One pass over the page as built: the inlined code is not scanned again, so that a
      // string in it that looks like a tag (React's warnings hold some) is left alone.
      const built = String(page.source);
      const left = OTHER_REFERENCE.exec(built.replace(ASSET_TAG, ''));
      if (left !== null) this.error(`the page references ${left[1]}, which would be fetched`);
      const text = built.replace(ASSET_TAG, (_tag, script?: string, style?: string) => {
        if (script !== undefined) {
          const chunk = byName(script);
          if (chunk.type !== 'chunk') this.error(`${script} is not a script chunk`);
          return `<script type="module">${escapeInlineScript((chunk as OutputChunk).code)}</script>\n`;
        }
        const asset = byName(style ?? '');
        if (asset.type !== 'asset') this.error(`${style} is not a stylesheet`);
        return `<style>${escapeInlineStyle(String((asset as OutputAsset).source))}</style>\n`;
      });
      page.source = text;
      for (const name of Object.keys(bundle)) {
        if (name === page.fileName) continue;
        if (!taken.has(name)) {
          const f = bundle[name]!;
          // A chunk the page does not reference means code was split off: refuse it.
          if (f.type === 'chunk') this.error(`chunk ${name} would not be inlined`);
        }
        delete bundle[name];
      }
    },
  };
}
