/**
 * src/books/import is pure, so the web app reviews an import with the same code the CLI seals it
 * with: bytes in, results out; no Node module, no I/O, no clock or randomness of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../src/books/import/', import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('src/books/import purity', () => {
  it.each(modules)('%s imports only pure modules', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...source.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map(
      (m) => m[1]!,
    );
    for (const spec of imports) {
      expect(spec).toMatch(/^(\.\/[\w-]+\.js|\.\.\/model\.js|\.\.\/\.\.\/log\/[\w-]+\.js)$/);
    }
    expect(source).not.toMatch(/\b(process|require|Buffer|Date\.now|Math\.random|fetch)\b/);
  });
});
