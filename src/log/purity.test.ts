/**
 * The log core is pure and isomorphic (docs/design.md): it runs unchanged in Node, in a witness
 * and in the browser, so no module of it may import Node's APIs or reach for I/O, a clock or
 * randomness of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('./', import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('src/log purity', () => {
  it.each(modules)('%s imports only the log core and @noble', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...source.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map(
      (m) => m[1]!,
    );
    for (const spec of imports)
      expect(spec).toMatch(/^(\.\/[\w-]+\.js|@noble\/(hashes|curves)\/[\w/.-]+)$/);
    expect(source).not.toMatch(
      /\b(process|require|Buffer|Date\.now|new Date|Math\.random|crypto\.getRandomValues|fetch)\b/,
    );
  });
});
