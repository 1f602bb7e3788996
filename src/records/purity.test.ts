/**
 * Records are pure and isomorphic like the log core (docs/design.md): they run unchanged in
 * Node, in a witness and in the browser, so no module may import Node's APIs or reach for I/O,
 * a clock or randomness of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('./', import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('src/records purity', () => {
  it.each(modules)('%s imports only records, the log core and zod', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...source.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map(
      (m) => m[1]!,
    );
    for (const spec of imports)
      expect(spec).toMatch(/^(\.\/[\w-]+\.js|\.\.\/log\/[\w-]+\.js|zod)$/);
    expect(source).not.toMatch(
      /\b(process|require|Buffer|Date\.now|new Date|Math\.random|crypto\.getRandomValues|fetch)\b/,
    );
  });
});
