/**
 * The books' logic is pure (no `node:` imports), so the web app reuses it; file and vault I/O
 * live in the modules named here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const IO = new Set(['vault-books.ts', 'statements.ts', 'sealed-books.ts']);
const dir = new URL('../../src/books/', import.meta.url);
const modules = readdirSync(dir).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !IO.has(f),
);

describe('src/books purity', () => {
  it.each(modules)('%s imports no Node API and does no I/O', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...source.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map(
      (m) => m[1] ?? '',
    );
    for (const spec of imports) {
      expect(spec).not.toMatch(/^node:|^better-sqlite3$|\/vault\/|\/cli\/|\/server\//);
    }
    expect(source).not.toMatch(/\b(process\.|require\(|Buffer\.|Date\.now|Math\.random|fetch\()/);
  });
});
